import { QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useState, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom';
import { AppShell, type NavItem } from './app/AppShell';
import { NotFoundPage } from './components/NotFoundPage';
import { PageSkeleton } from './components/Skeleton';
import { Toaster } from './components/Toaster';
import { createQueryClient } from './lib/queryClient';
import { STAFF_ROLES } from './lib/types';
import { InboxBadge } from './features/messages/InboxBadge';
import { homeFor } from './lib/routes';
import { RequireRole, SessionProvider } from './features/session/SessionGate';
import { SignInPage } from './features/session/SignInPage';
import { useSessionStore } from './lib/session';
import { LiveUpdates } from './live/LiveUpdates';

// Each area is its own chunk: a patient never downloads the front desk.
const SchedulePage = lazy(() => import('./features/schedule/SchedulePage'));
const PortalPage = lazy(() => import('./features/portal/PortalPage'));
const PortalBookPage = lazy(() => import('./features/portal/PortalBookPage'));
const MyDetailsPage = lazy(() => import('./features/portal/MyDetailsPage'));
const OfferPage = lazy(() => import('./features/portal/OfferPage'));
const SignUpPage = lazy(() => import('./features/session/SignUpPage'));
const ForgotPasswordPage = lazy(() => import('./features/session/ForgotPasswordPage'));
const ResetPasswordPage = lazy(() => import('./features/session/ResetPasswordPage'));
const VerifyEmailPage = lazy(() => import('./features/session/VerifyEmailPage'));
const AccountPage = lazy(() => import('./features/account/AccountPage'));
const TwoStepPage = lazy(() => import('./features/session/TwoStepPage'));
const PatientsPage = lazy(() => import('./features/patients/PatientsPage'));
const PatientNewPage = lazy(() => import('./features/patients/PatientNewPage'));
const PatientProfilePage = lazy(() => import('./features/patients/PatientProfilePage'));
const WaitlistPage = lazy(() => import('./features/waitlist/WaitlistPage'));
const PatientEditPage = lazy(() => import('./features/patients/PatientEditPage'));
const ChartPage = lazy(() => import('./features/chart/ChartPage'));
const PerioPage = lazy(() => import('./features/chart/PerioPage'));
const PlansPage = lazy(() => import('./features/plans/PlansPage'));
const NotesPage = lazy(() => import('./features/notes/NotesPage'));
const PrescriptionsPage = lazy(() => import('./features/prescriptions/PrescriptionsPage'));
const PortalPlansPage = lazy(() => import('./features/portal/PortalPlansPage'));
const PortalPrescriptionsPage = lazy(() => import('./features/portal/PortalPrescriptionsPage'));
const DocumentsPage = lazy(() => import('./features/documents/DocumentsPage'));
const ConsentsPage = lazy(() => import('./features/consents/ConsentsPage'));
const ConsentTemplatesPage = lazy(() => import('./features/consents/ConsentTemplatesPage'));
const PortalFormsPage = lazy(() => import('./features/portal/PortalFormsPage'));
const BillingPage = lazy(() => import('./features/billing/BillingPage'));
const PortalBillsPage = lazy(() => import('./features/portal/PortalBillsPage'));
// The only chunk that imports @stripe/stripe-js: /pay/* is reached by a full
// page load, and only it is served with a CSP that allows js.stripe.com.
const PortalPayPage = lazy(() => import('./features/portal/PortalPayPage'));
const MessagesPage = lazy(() => import('./features/messages/MessagesPage'));
const InboxPage = lazy(() => import('./features/messages/InboxPage'));
const MessagingSettingsPage = lazy(() => import('./features/messages/MessagingSettingsPage'));
const DashboardPage = lazy(() => import('./features/dashboard/DashboardPage'));
const ReportsPage = lazy(() => import('./features/reports/ReportsPage'));
const WebhooksPage = lazy(() => import('./features/integrations/WebhooksPage'));
const AdminPage = lazy(() => import('./features/admin/AdminPage'));
const UsersPage = lazy(() => import('./features/users/UsersPage'));
const AuditPage = lazy(() => import('./features/audit/AuditPage'));
const ClinicSettingsPage = lazy(() => import('./features/clinicsettings/ClinicSettingsPage'));
const CatalogPage = lazy(() => import('./features/catalog/CatalogPage'));

const STAFF_NAV: NavItem[] = [
  { to: '/schedule', label: 'Schedule' },
  { to: '/patients', label: 'Patients' },
  { to: '/waitlist', label: 'Waitlist' },
  { to: '/inbox', label: 'Inbox', badge: <InboxBadge /> },
  { to: '/messages', label: 'Messages', roles: ['admin'] },
  { to: '/dashboard', label: 'Dashboard', roles: ['admin', 'dentist'] },
  { to: '/reports', label: 'Reports', roles: ['admin', 'dentist'] },
  { to: '/admin', label: 'Admin', roles: ['admin'] },
  { to: '/account', label: 'Account' },
];
const PATIENT_NAV: NavItem[] = [
  { to: '/portal', label: 'My appointments', end: true },
  { to: '/portal/book', label: 'Book a visit' },
  { to: '/portal/forms', label: 'Forms to sign' },
  { to: '/portal/plans', label: 'Treatment plans' },
  { to: '/portal/prescriptions', label: 'Prescriptions' },
  { to: '/portal/bills', label: 'Bills' },
  { to: '/portal/details', label: 'My details' },
  { to: '/account', label: 'Account' },
];
/** The admins' screens (the routes check the role; the server checks it again). */
const ADMIN_ROUTES: [string, ReactNode][] = [
  ['/messages', <MessagesPage />],
  ['/admin', <AdminPage />],
  ['/admin/users', <UsersPage />],
  ['/admin/clinic', <ClinicSettingsPage />],
  ['/admin/audit', <AuditPage />],
  ['/admin/webhooks', <WebhooksPage />],
  ['/settings/messaging', <MessagingSettingsPage />],
  ['/admin/catalog', <CatalogPage />],
];
const ALL_ROLES = [...STAFF_ROLES, 'patient'] as const;

/** The shell for the account pages: staff or patient navigation by role. */
function AccountShell() {
  const role = useSessionStore((s) => s.user?.role);
  return <AppShell nav={role === 'patient' ? PATIENT_NAV : STAFF_NAV} />;
}

/** The landing page while signed out; a signed-in user goes to their area. */
export function HomeRoute() {
  const status = useSessionStore((s) => s.status);
  const user = useSessionStore((s) => s.user);
  if (status === 'signedIn' && user) return <Navigate to={homeFor(user.role)} replace />;
  return <SignInPage />;
}

export function AppRoutes() {
  return (
    <SessionProvider>
      <Suspense fallback={<PageSkeleton />}>
        <Routes>
          <Route path="/" element={<HomeRoute />} />
          <Route path="/sign-in" element={<SignInPage />} />
          <Route path="/sign-up" element={<SignUpPage />} />
          <Route path="/forgot-password" element={<ForgotPasswordPage />} />
          <Route path="/reset-password" element={<ResetPasswordPage />} />
          <Route path="/verify-email" element={<VerifyEmailPage />} />
          <Route
            element={
              <RequireRole roles={STAFF_ROLES}>
                <AppShell nav={STAFF_NAV} />
              </RequireRole>
            }
          >
            <Route path="/schedule" element={<SchedulePage />} />
            <Route path="/waitlist" element={<WaitlistPage />} />
            <Route path="/patients" element={<PatientsPage />} />
            <Route path="/patients/new" element={<PatientNewPage />} />
            <Route path="/patients/:id" element={<PatientProfilePage />} />
            <Route path="/patients/:id/edit" element={<PatientEditPage />} />
            <Route path="/patients/:id/chart" element={<ChartPage />} />
            <Route path="/patients/:id/perio" element={<PerioPage />} />
            <Route path="/patients/:id/plans" element={<PlansPage />} />
            <Route path="/patients/:id/notes" element={<NotesPage />} />
            <Route path="/patients/:id/prescriptions" element={<PrescriptionsPage />} />
            <Route path="/patients/:id/documents" element={<DocumentsPage />} />
            <Route path="/patients/:id/consents" element={<ConsentsPage />} />
            <Route
              path="/patients/:id/billing"
              element={
                <RequireRole roles={['admin', 'receptionist']}>
                  <BillingPage />
                </RequireRole>
              }
            />
            <Route path="/consent-templates" element={<ConsentTemplatesPage />} />
            {ADMIN_ROUTES.map(([path, page]) => (
              <Route key={path} path={path} element={<RequireRole roles={['admin']}>{page}</RequireRole>} />
            ))}
            <Route path="/inbox" element={<InboxPage />} />
            <Route
              path="/dashboard"
              element={
                <RequireRole roles={['admin', 'dentist']}>
                  <DashboardPage />
                </RequireRole>
              }
            />
            <Route
              path="/reports"
              element={
                <RequireRole roles={['admin', 'dentist']}>
                  <ReportsPage />
                </RequireRole>
              }
            />
          </Route>
          <Route
            element={
              <RequireRole roles={['patient']}>
                <AppShell nav={PATIENT_NAV} />
              </RequireRole>
            }
          >
            <Route path="/portal" element={<PortalPage />} />
            <Route path="/portal/book" element={<PortalBookPage />} />
            <Route path="/portal/details" element={<MyDetailsPage />} />
            <Route path="/portal/plans" element={<PortalPlansPage />} />
            <Route path="/portal/prescriptions" element={<PortalPrescriptionsPage />} />
            <Route path="/portal/forms" element={<PortalFormsPage />} />
            <Route path="/portal/bills" element={<PortalBillsPage />} />
            <Route path="/portal/offers/:id" element={<OfferPage />} />
          </Route>
          <Route
            element={
              <RequireRole roles={ALL_ROLES} allowMfaPending>
                <AccountShell />
              </RequireRole>
            }
          >
            <Route path="/account/two-step" element={<TwoStepPage />} />
          </Route>
          <Route
            element={
              <RequireRole roles={ALL_ROLES}>
                <AccountShell />
              </RequireRole>
            }
          >
            <Route path="/account" element={<AccountPage />} />
          </Route>
          <Route
            path="/pay/:invoiceId"
            element={
              <RequireRole roles={ALL_ROLES}>
                <PortalPayPage />
              </RequireRole>
            }
          />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </Suspense>
      <Toaster />
      <LiveUpdates />
    </SessionProvider>
  );
}

export function App() {
  const [queryClient] = useState(createQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <AppRoutes />
      </BrowserRouter>
    </QueryClientProvider>
  );
}

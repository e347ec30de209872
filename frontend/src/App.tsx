import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router-dom';
import { HealthStatus } from './features/health/HealthStatus';
import { SignInForm } from './features/session/SignInForm';

export function LandingPage() {
  return (
    <>
      <main className="landing">
        <header className="landing__intro">
          <h1>TopSmile</h1>
          <p className="tagline">Gentle, modern dental care for the whole family — appointments, records and reminders in one place.</p>
        </header>
        <section className="landing__panel" aria-label="Staff and patient sign-in">
          <SignInForm />
        </section>
      </main>
      <footer className="site-footer">
        <HealthStatus />
      </footer>
    </>
  );
}

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/" element={<LandingPage />} />
      {/* SPA fallback: unknown paths render the landing page for now. */}
      <Route path="*" element={<LandingPage />} />
    </Routes>
  );
}

export function App() {
  const [queryClient] = useState(
    () => new QueryClient({ defaultOptions: { queries: { refetchOnWindowFocus: false } } }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <AppRoutes />
      </BrowserRouter>
    </QueryClientProvider>
  );
}

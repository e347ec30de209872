package authz

// Owner is the ownership rule a route applies on top of clinic scope (which
// every route gets from the store).
type Owner int

const (
	// ClinicScope: any allowed role sees the clinic's records.
	ClinicScope Owner = iota
	// OwnPatient: a patient may only name their own patient id in the path
	// parameter Rule.Param; another id is 404, never the data.
	OwnPatient
	// PatientFiltered: a patient may call it, and the handler narrows the
	// result to their own patient id (lists, availability, bookings).
	PatientFiltered
	// Self: the caller's own account (auth/me, their sessions).
	Self
)

// Rule is one route's policy.
type Rule struct {
	// Public routes need no session (login, sign-up, health, webhooks).
	Public bool
	// Roles may call the route; everyone else gets 403.
	Roles []string
	Owner Owner
	// Param is the path parameter holding a patient id (OwnPatient).
	Param string
	// AllowMFAPending lets a user whose clinic requires MFA, and who has not
	// enrolled yet, call the route (only what enrolment needs).
	AllowMFAPending bool
}

var (
	everyone = AllRoles
	admins   = []string{Admin}
	staff    = []string{Admin, Dentist, Hygienist, Assistant, Receptionist}
	// patientEditors may create and change patient records (assistants read).
	patientEditors = []string{Admin, Dentist, Hygienist, Receptionist}
	// charting: the chair (assistants chart and draft notes too).
	charting = []string{Admin, Dentist, Hygienist, Assistant}
	// planners build, present and carry out treatment plans.
	planners = []string{Admin, Dentist, Hygienist}
	// signers sign and amend clinical notes (the handler refuses an admin
	// who is not a clinician: only dentists and hygienists sign).
	signers = []string{Dentist, Hygienist}
	// prescribers: only a dentist prescribes or discontinues.
	prescribers = []string{Dentist}
	// billers read and post a patient's money: the front desk and admins
	// (clinicians see the estimate on a plan, not the account).
	billers = []string{Admin, Receptionist}
)

// with returns roles plus extra.
func with(roles []string, extra ...string) []string {
	return append(append([]string{}, roles...), extra...)
}

// Policies is the one policy table: every route of every function. The guard
// refuses to register a route that is missing here, and a test walks every
// route of template.yaml × every role against it.
var Policies = map[string]Rule{
	"GET /api/health": {Public: true},

	// auth
	"POST /api/auth/login":           {Public: true},
	"POST /api/auth/refresh":         {Public: true}, // authenticated by the refresh cookie
	"POST /api/auth/register":        {Public: true},
	"GET /api/clinics":               {Public: true}, // the sign-up form's practice search: names and slugs only
	"POST /api/auth/verify-email":    {Public: true}, // authenticated by the emailed token
	"POST /api/auth/password/forgot": {Public: true},
	"POST /api/auth/password/reset":  {Public: true},
	// An email's unsubscribe link: the sealed token is the authority.
	"GET /api/unsubscribe":            {Public: true},
	"POST /api/unsubscribe":           {Public: true},
	"POST /api/auth/logout":           {Roles: everyone, Owner: Self, AllowMFAPending: true},
	"GET /api/auth/me":                {Roles: everyone, Owner: Self, AllowMFAPending: true},
	"POST /api/auth/password/change":  {Roles: everyone, Owner: Self},
	"POST /api/auth/mfa/setup":        {Roles: everyone, Owner: Self, AllowMFAPending: true},
	"POST /api/auth/mfa/verify":       {Roles: everyone, Owner: Self, AllowMFAPending: true},
	"GET /api/auth/sessions":          {Roles: everyone, Owner: Self},
	"DELETE /api/auth/sessions/{id}":  {Roles: everyone, Owner: Self},
	"GET /api/clinic":                 {Roles: everyone},
	"PATCH /api/clinic":               {Roles: admins},
	"GET /api/users":                  {Roles: admins},
	"POST /api/users":                 {Roles: admins},
	"GET /api/users/{id}":             {Roles: admins},
	"PATCH /api/users/{id}":           {Roles: admins},
	"DELETE /api/users/{id}":          {Roles: admins},
	"GET /api/users/{id}/sessions":    {Roles: admins},
	"DELETE /api/users/{id}/sessions": {Roles: admins},
	"DELETE /api/users/{id}/mfa":      {Roles: admins},
	"GET /api/audit-logs":             {Roles: admins},
	// The live schedule's socket (realtime): staff screens only.
	"GET /api/live": {Roles: staff},
	// The clinic's messages (the outbox) and their retry.
	"GET /api/notifications":             {Roles: admins},
	"POST /api/notifications/{id}/retry": {Roles: admins},
	// The practice's reports: the figures are the owners' (admins and
	// dentists), not the desk's.
	"GET /api/reports/{name}": {Roles: []string{Admin, Dentist}},
	// A patient's whole record as FHIR R4: an admin exports any patient of
	// the clinic, a patient their own ("Download my record").
	"GET /api/fhir/Patient/{id}/$everything": {Roles: []string{Admin, Patient}, Owner: OwnPatient, Param: "id"},
	// Outbound webhooks: the endpoints, their signing secrets and their
	// deliveries are the admins' alone.
	"GET /api/webhook-endpoints":                                      {Roles: admins},
	"POST /api/webhook-endpoints":                                     {Roles: admins},
	"DELETE /api/webhook-endpoints/{id}":                              {Roles: admins},
	"GET /api/webhook-endpoints/{id}/deliveries":                      {Roles: admins},
	"POST /api/webhook-endpoints/{id}/deliveries/{deliveryId}/resend": {Roles: admins},

	// patients
	"GET /api/patients":        {Roles: everyone, Owner: PatientFiltered},
	"POST /api/patients":       {Roles: patientEditors},
	"GET /api/patients/{id}":   {Roles: with(staff, Patient), Owner: OwnPatient, Param: "id"},
	"PATCH /api/patients/{id}": {Roles: with(patientEditors, Patient), Owner: OwnPatient, Param: "id"},
	// Messaging preferences and opt-outs: staff record what a patient asked
	// for, a patient sets their own.
	"GET /api/patients/{id}/communication": {Roles: with(staff, Patient), Owner: OwnPatient, Param: "id"},
	"PUT /api/patients/{id}/communication": {Roles: with(patientEditors, Patient), Owner: OwnPatient, Param: "id"},
	"DELETE /api/patients/{id}":            {Roles: patientEditors},
	"GET /api/patients/{id}/timeline":      {Roles: with(staff, Patient), Owner: OwnPatient, Param: "id"},

	// scheduling: the practice's catalog is readable by everyone signed in
	// (patients see a trimmed view); appointment routes narrow a patient to
	// their own appointments in the handler (404 for anyone else's).
	"GET /api/providers":                   {Roles: everyone, Owner: PatientFiltered},
	"POST /api/providers":                  {Roles: admins},
	"GET /api/providers/{id}":              {Roles: staff},
	"PATCH /api/providers/{id}":            {Roles: admins},
	"PUT /api/providers/{id}/hours":        {Roles: admins},
	"POST /api/providers/{id}/time-off":    {Roles: admins},
	"GET /api/operatories":                 {Roles: everyone},
	"POST /api/operatories":                {Roles: admins},
	"PATCH /api/operatories/{id}":          {Roles: admins},
	"GET /api/appointment-types":           {Roles: everyone, Owner: PatientFiltered},
	"POST /api/appointment-types":          {Roles: admins},
	"PATCH /api/appointment-types/{id}":    {Roles: admins},
	"GET /api/appointments":                {Roles: everyone, Owner: PatientFiltered},
	"POST /api/appointments":               {Roles: everyone, Owner: PatientFiltered},
	"GET /api/appointments/{id}":           {Roles: everyone, Owner: PatientFiltered},
	"PATCH /api/appointments/{id}":         {Roles: staff},
	"POST /api/appointments/{id}/cancel":   {Roles: everyone, Owner: PatientFiltered},
	"POST /api/appointments/{id}/confirm":  {Roles: everyone, Owner: PatientFiltered},
	"POST /api/appointments/{id}/check-in": {Roles: staff},
	"POST /api/appointments/{id}/undo":     {Roles: staff},
	"POST /api/appointments/{id}/complete": {Roles: staff},
	"POST /api/appointments/{id}/no-show":  {Roles: staff},
	"GET /api/availability":                {Roles: everyone, Owner: PatientFiltered},
	"GET /api/waitlist":                    {Roles: everyone, Owner: PatientFiltered},
	"POST /api/waitlist":                   {Roles: everyone, Owner: PatientFiltered},
	"PATCH /api/waitlist/{id}":             {Roles: everyone, Owner: PatientFiltered},
	"DELETE /api/waitlist/{id}":            {Roles: everyone, Owner: PatientFiltered},
	// The desk offers a waiting patient a time it chose (held, then told).
	"POST /api/waitlist/{id}/offer": {Roles: staff},

	// clinical: the chart, perio and notes are the chair's (receptionists
	// see none of it); plans are read by the front desk too (it takes the
	// money and the acceptance), and a patient reads their own plans and
	// prescriptions (404 for anyone else's).
	"GET /api/patients/{id}/chart":                           {Roles: charting, Owner: OwnPatient, Param: "id"},
	"POST /api/patients/{id}/chart/entries":                  {Roles: charting, Owner: OwnPatient, Param: "id"},
	"GET /api/patients/{id}/perio-exams":                     {Roles: charting, Owner: OwnPatient, Param: "id"},
	"POST /api/patients/{id}/perio-exams":                    {Roles: charting, Owner: OwnPatient, Param: "id"},
	"GET /api/perio-exams/{id}":                              {Roles: charting},
	"GET /api/procedure-codes":                               {Roles: staff},
	"POST /api/procedure-codes":                              {Roles: admins},
	"POST /api/procedure-codes/import":                       {Roles: admins},
	"GET /api/patients/{id}/treatment-plans":                 {Roles: with(staff, Patient), Owner: OwnPatient, Param: "id"},
	"POST /api/patients/{id}/treatment-plans":                {Roles: planners, Owner: OwnPatient, Param: "id"},
	"GET /api/treatment-plans/{id}":                          {Roles: with(staff, Patient), Owner: PatientFiltered},
	"PATCH /api/treatment-plans/{id}":                        {Roles: planners},
	"POST /api/treatment-plans/{id}/present":                 {Roles: planners},
	"POST /api/treatment-plans/{id}/accept":                  {Roles: with(planners, Receptionist, Patient), Owner: PatientFiltered},
	"POST /api/treatment-plans/{id}/reject":                  {Roles: with(planners, Receptionist, Patient), Owner: PatientFiltered},
	"POST /api/treatment-plans/{id}/items/{itemId}/complete": {Roles: planners},
	"GET /api/patients/{id}/notes":                           {Roles: charting, Owner: OwnPatient, Param: "id"},
	"POST /api/patients/{id}/notes":                          {Roles: charting, Owner: OwnPatient, Param: "id"},
	"PATCH /api/notes/{id}":                                  {Roles: charting},
	"POST /api/notes/{id}/sign":                              {Roles: signers},
	"POST /api/notes/{id}/amend":                             {Roles: signers},
	"GET /api/note-templates":                                {Roles: charting},
	"GET /api/patients/{id}/prescriptions":                   {Roles: with(prescribers, Admin, Patient), Owner: OwnPatient, Param: "id"},
	"POST /api/patients/{id}/prescriptions":                  {Roles: prescribers, Owner: OwnPatient, Param: "id"},
	"POST /api/prescriptions/{id}/discontinue":               {Roles: prescribers},

	// consents: the clinic's forms are written by admins and sent by any
	// staff; a patient reads and signs their own (and, as guardian, their
	// minor family members': the handler checks the family link).
	"GET /api/consent-templates":        {Roles: staff},
	"POST /api/consent-templates":       {Roles: admins},
	"PATCH /api/consent-templates/{id}": {Roles: admins},
	"GET /api/patients/{id}/consents":   {Roles: with(staff, Patient), Owner: OwnPatient, Param: "id"},
	"POST /api/patients/{id}/consents":  {Roles: staff, Owner: OwnPatient, Param: "id"},
	"GET /api/consents":                 {Roles: []string{Patient}, Owner: PatientFiltered},
	"GET /api/consents/{id}":            {Roles: with(staff, Patient), Owner: PatientFiltered},
	"GET /api/consents/{id}/pdf":        {Roles: with(staff, Patient), Owner: PatientFiltered},
	"POST /api/consents/{id}/sign":      {Roles: []string{Patient}, Owner: PatientFiltered},
	// documents: X-rays, photos, referrals and scanned forms, for staff.
	"GET /api/patients/{id}/documents":  {Roles: staff, Owner: OwnPatient, Param: "id"},
	"POST /api/patients/{id}/documents": {Roles: staff, Owner: OwnPatient, Param: "id"},
	"POST /api/documents/{id}/complete": {Roles: staff},
	"GET /api/documents/{id}":           {Roles: staff},
	"POST /api/documents/{id}/archive":  {Roles: staff},

	// billing: insurance plans are read by every staff member (the chair
	// quotes the estimate), written by billers; a patient's coverage,
	// ledger, invoices and payments are the front desk's, and a patient
	// reads their own (a guarantor their family's: the handler checks the
	// family link) and pays their invoices.
	"GET /api/insurance/plans":               {Roles: staff},
	"POST /api/insurance/plans":              {Roles: billers},
	"GET /api/insurance/plans/{id}":          {Roles: staff},
	"GET /api/patients/{id}/coverage":        {Roles: with(billers, Patient), Owner: OwnPatient, Param: "id"},
	"POST /api/patients/{id}/coverage":       {Roles: billers, Owner: OwnPatient, Param: "id"},
	"PATCH /api/coverage/{id}":               {Roles: billers},
	"GET /api/treatment-plans/{id}/estimate": {Roles: with(staff, Patient), Owner: PatientFiltered},
	"GET /api/patients/{id}/ledger":          {Roles: with(billers, Patient), Owner: PatientFiltered},
	"GET /api/patients/{id}/statement":       {Roles: with(billers, Patient), Owner: PatientFiltered},
	"POST /api/patients/{id}/charges":        {Roles: billers, Owner: OwnPatient, Param: "id"},
	"POST /api/patients/{id}/adjustments":    {Roles: billers, Owner: OwnPatient, Param: "id"},
	"POST /api/patients/{id}/payments":       {Roles: billers, Owner: OwnPatient, Param: "id"},
	"GET /api/invoices":                      {Roles: with(billers, Patient), Owner: PatientFiltered},
	"POST /api/invoices":                     {Roles: billers},
	"GET /api/invoices/{id}":                 {Roles: with(billers, Patient), Owner: PatientFiltered},
	"GET /api/invoices/{id}/pdf":             {Roles: with(billers, Patient), Owner: PatientFiltered},
	"POST /api/invoices/{id}/void":           {Roles: billers},
	"POST /api/invoices/{id}/payment-intent": {Roles: with(billers, Patient), Owner: PatientFiltered},
	"POST /api/payments/{id}/refund":         {Roles: billers},
	"GET /api/billing/config":                {Roles: everyone},
	// Stripe calls it: no session, no CSRF token, the signature is the
	// authentication (the StripeWebhookFunction).
	"POST /api/webhooks/stripe": {Public: true},
	// Twilio calls them (the TwilioWebhookFunction): X-Twilio-Signature
	// over PUBLIC_URL + the path is the authentication.
	"POST /api/webhooks/twilio/status":  {Public: true},
	"POST /api/webhooks/twilio/inbound": {Public: true},
	// The front desk's inbox of patients' replies: every staff member
	// reads and handles it (a reply is no clinical record).
	"GET /api/inbox":              {Roles: staff},
	"POST /api/inbox/{id}/handle": {Roles: staff},
}

// Allows reports whether role may call a route under rule.
func (r Rule) Allows(role string) bool {
	for _, x := range r.Roles {
		if x == role {
			return true
		}
	}
	return false
}

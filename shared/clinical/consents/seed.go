package consents

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/topsmile/topsmile/shared/clock"
	"github.com/topsmile/topsmile/shared/errs"
	"github.com/topsmile/topsmile/shared/store"
)

// Seed gives clinicID the four forms a practice starts with (general
// treatment, local anaesthesia, privacy notice, financial policy), written
// by adminID, at version 1. Ids come from the clinic's, so seeding twice
// stores nothing new and leaves a form the clinic has since edited as it
// is.
func Seed(ctx context.Context, m *store.Mongo, c clock.Clock, clinicID, adminID string) error {
	s := newTemplateStore(m)
	at := c.Now().UTC().Truncate(time.Millisecond)
	for _, f := range seedForms {
		id := seedID(clinicID, f.kind)
		v := templateVersion{ID: versionID(id, 1), TemplateID: id, Version: 1, Title: f.title, Kind: f.kind, Body: f.body,
			Hash: Hash(f.body), CreatedAt: at, CreatedBy: adminID}
		h := templateHead{ID: id, Kind: f.kind, Active: true, CreatedAt: at, UpdatedAt: at}
		if err := s.heads.InsertOne(ctx, clinicID, h); err != nil && !errs.Is(err, errs.Conflict) {
			return fmt.Errorf("consents: seed %s: %w", f.kind, err)
		}
		if err := s.versions.InsertOne(ctx, clinicID, v); err != nil && !errs.Is(err, errs.Conflict) {
			return fmt.Errorf("consents: seed %s: %w", f.kind, err)
		}
	}
	return nil
}

// seedID is a seeded form's id: an ObjectID-shaped hash of the clinic and
// the form.
func seedID(clinicID, form string) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s/consent-template/%s", clinicID, form))
	return hex.EncodeToString(sum[:12])
}

type seedForm struct{ kind, title, body string }

var seedForms = []seedForm{
	{KindTreatment, "Consent to dental treatment", `This form is about the treatment your dentist has explained to you. Please read it in full and ask us about anything that is not clear before you sign.

Your dentist has examined you and talked with you about what they found, the treatment they recommend, what it involves, roughly how long it will take and what it will cost. They have also told you about other options, including having no treatment at all, and what is likely to happen if you choose each of them.

All dental treatment carries some risk. Depending on the treatment these can include sensitivity or soreness for a few days, swelling or bruising, a filling or crown that needs adjusting or replacing later, a tooth that needs a root canal treatment or has to be removed, and, rarely, numbness of the lip, tongue or chin that can last longer than expected. Your dentist has told you about the risks that matter most for your treatment.

Sometimes a dentist finds something during treatment that could not be seen beforehand, such as decay that goes deeper than the X-ray showed. If that happens and you are awake and able to discuss it, we will stop and talk with you before changing the plan, unless a short delay would harm you.

You can change your mind and stop treatment at any time, even after signing this form. Tell a member of the team and we will explain what stopping now means for your teeth.

By signing you confirm that you have had the chance to ask questions, that you understand the answers, and that you agree to the treatment your dentist has explained.`},
	{KindAnaesthesia, "Consent to local anaesthesia", `Local anaesthetic is an injection that numbs the area being treated so that you do not feel pain. It is used for most fillings, root canal treatments, extractions and deep cleanings.

Please tell us before your appointment about any medicines you take, any heart condition, high blood pressure, bleeding problems, pregnancy, and any reaction you have had to an anaesthetic in the past. This helps us choose the right anaesthetic and the right amount for you.

After the injection your lip, tongue and cheek will feel numb for two to five hours. Until the feeling comes back, take care not to bite or chew them, avoid hot drinks and food, and keep an eye on children so they do not chew their lip.

Most people have no problems. Some feel a racing heartbeat or shakiness for a few minutes, or have a small bruise where the needle went in. Rarely, the nerve is irritated and numbness or tingling lasts for days or weeks; very rarely it lasts longer. Allergic reactions to modern local anaesthetics are very rare, and the team is trained and equipped to deal with them.

By signing you confirm that you have told us about your health and medicines, that the use and risks of local anaesthesia have been explained to you, and that you agree to receive it for your treatment.`},
	{KindPrivacy, "Privacy notice", `This notice explains how our practice looks after your personal and health information.

We keep a record of your contact details, medical history, allergies, dental charts, X-rays and photographs, treatment plans, notes of your visits, and payments. We use this information to care for you, to contact you about your appointments, and to run the practice: billing, insurance claims and keeping our records complete as the law requires.

Only members of our team who need your information to do their job can see it, and every time someone opens your clinical record it is logged. Your records are stored encrypted on secure systems and are never sold or used for advertising.

We share information only when it is needed for your care or required by law: for example with a specialist we refer you to, a laboratory making your crown or denture, your insurer when you ask us to send a claim, or a public authority when the law obliges us. We will ask you first before sharing it for any other reason.

You can ask for a copy of your records, ask us to correct anything that is wrong, and ask who has seen your information. Talk to the front desk or write to the practice manager. If you are not happy with how we have handled your information, please tell us so we can put it right; you also have the right to complain to the data protection authority.

By signing you confirm that you have read this notice.`},
	{KindFinancial, "Financial policy", `We want you to know what your care will cost before it begins, and how payment works at our practice.

Before any treatment other than an examination, we will give you a written estimate. If your dentist finds during treatment that the work needs to change in a way that affects the cost, we will tell you before going ahead whenever we can.

Payment is due on the day of your visit unless we have agreed a payment plan with you in advance. We accept card payments in the practice and online through the patient portal.

If you have dental insurance, we will send claims on your behalf when you ask us to. Your insurer decides what it will pay, and any amount it does not pay remains your responsibility. An estimate of what insurance will cover is only an estimate until the insurer confirms it.

If you cannot keep an appointment, please let us know at least 24 hours beforehand so that another patient can be seen. We may charge a fee for appointments missed without notice, and we will always tell you before we do.

If you are having difficulty paying, please talk to us early: we would much rather agree a plan with you than see you put off care you need.

By signing you confirm that you have read and accept this financial policy.`},
}

package notes

import (
	"slices"
	"testing"

	"github.com/topsmile/topsmile/shared/clinical/core"
)

func TestAllergyConflicts(t *testing.T) {
	cases := []struct {
		name    string
		drug    string
		allergy string
		// want is the reason, "" for no conflict.
		want string
	}{
		// By name.
		{"the drug itself", "Amoxicillin", "amoxicillin", "amoxicillin is the recorded allergen"},
		{"case", "AMOXICILLIN", "amoxicillin", "amoxicillin is the recorded allergen"},
		{"accents", "Lidocaína", "LIDOCAINE", "Lidocaína contains lidocaine"},
		{"a brand of the allergen", "Amoxil", "Amoxicillin", "Amoxil contains amoxicillin"},
		{"an allergy to a brand", "amoxicillin", "Amoxil", "amoxicillin is the recorded allergen"},
		{"a combination brand", "Tylenol #3", "Codeine", "Tylenol #3 contains codeine"},
		{"the other half of a combination", "Tylenol #3", "acetaminophen", "Tylenol #3 contains acetaminophen"},
		{"Advil", "Advil", "ibuprofen", "Advil contains ibuprofen"},
		{"Motrin", "Motrin IB", "Ibuprofen", "Motrin IB contains ibuprofen"},
		{"Aleve", "Aleve", "naproxen", "Aleve contains naproxen"},
		{"Xylocaine", "Xylocaine 2% with epinephrine", "Lidocaine", "Xylocaine 2% with epinephrine contains lidocaine"},
		{"Septocaine", "Septocaine", "articaine", "Septocaine contains articaine"},
		{"a drug the map does not know", "Chlorhexidine gluconate 0.12%", "chlorhexidine gluconate", "Chlorhexidine gluconate 0.12% contains chlorhexidine"},
		{"an unknown drug by an unknown allergen's word", "Minocycline microspheres", "Minocycline (rash)", "Minocycline microspheres contains minocycline"},

		// By class.
		{"the contract's example", "amoxicillin", "Penicillin", "amoxicillin is a penicillin"},
		{"plural class names", "Ampicillin", "Penicillins", "ampicillin is a penicillin"},
		{"accented class", "Amoxicilline", "Pénicillines", "amoxicillin is a penicillin"},
		{"penicillin V by name", "Penicillin VK", "penicillin", "Penicillin VK contains penicillin V"},
		{"a brand of the class", "Augmentin 875", "PCN", "amoxicillin is a penicillin"},
		{"a sulfa allergy", "sulfamethoxazole/trimethoprim", "Sulfa", "sulfamethoxazole is a sulfonamide"},
		{"sulfa drugs, British spelling", "Bactrim DS", "sulpha drugs", "sulfamethoxazole is a sulfonamide"},
		{"NSAIDs", "ketorolac", "NSAIDs", "ketorolac is an NSAID"},
		{"non-steroidal anti-inflammatories", "diclofenac", "non-steroidal anti-inflammatory drugs", "diclofenac is an NSAID"},
		{"aspirin and ibuprofen", "ibuprofen", "Aspirin", "ibuprofen is an NSAID, like aspirin"},
		{"opioids", "hydrocodone/acetaminophen", "opioids", "hydrocodone is an opioid"},
		{"narcotics", "Tramadol", "Narcotic analgesics", "tramadol is an opioid"},
		{"one opioid for another", "oxycodone", "codeine", "oxycodone is an opioid, like codeine"},
		{"ester anaesthetics", "benzocaine 20% gel", "Ester-type local anaesthetics", "benzocaine is an ester-type local anaesthetic"},
		{"PABA and esters", "tetracaine", "PABA", "tetracaine is an ester-type local anaesthetic"},
		{"one ester for another", "procaine", "benzocaine", "procaine is an ester-type local anaesthetic, like benzocaine"},
		{"amide anaesthetics", "articaine", "amide local anesthetics", "articaine is an amide-type local anaesthetic"},
		{"one amide for another", "Carbocaine", "lidocaine", "mepivacaine is an amide-type local anaesthetic, like lidocaine"},
		{"local anaesthetics as a whole", "prilocaine", "local anaesthetic", "prilocaine is an amide-type local anaesthetic"},
		{"cephalosporins", "cefadroxil", "cephalosporins", "cefadroxil is a cephalosporin"},
		{"penicillin allergy flags cephalexin", "cephalexin", "Penicillin", "cephalexin is a cephalosporin, and cephalosporins can cross-react with penicillins"},
		{"an amoxicillin allergy flags Keflex", "Keflex", "amoxicillin", "cephalexin is a cephalosporin, and cephalosporins can cross-react with penicillins"},
		{"beta-lactams", "cephalexin", "beta-lactam antibiotics", "cephalexin is a cephalosporin"},

		// No false positives.
		{"ibuprofen is not a penicillin", "ibuprofen", "Penicillin", ""},
		{"penicillamine is not penicillin", "penicillamine", "penicillin", ""},
		{"clindamycin for a penicillin allergy", "clindamycin", "Penicillin", ""},
		{"a cephalosporin allergy does not flag penicillins", "amoxicillin", "cephalosporins", ""},
		{"an ester allergy does not flag amides", "lidocaine", "ester-type local anesthetics", ""},
		{"an amide allergy does not flag esters", "benzocaine", "amide anesthetics", ""},
		{"acetaminophen is not an NSAID", "acetaminophen", "NSAIDs", ""},
		{"Tylenol is not codeine", "Tylenol", "codeine", ""},
		{"steroids are not NSAIDs", "ibuprofen", "steroids", ""},
		{"sulfites are not sulfonamides", "sulfamethoxazole", "sulfites", ""},
		{"latex is no drug", "lidocaine", "Latex", ""},
		{"latex and an unknown drug", "Fluoride varnish", "latex", ""},
		{"a filler word is no match", "chlorhexidine oral rinse", "oral allergy syndrome", ""},
		{"an empty allergy", "amoxicillin", "  ", ""},
		{"an empty drug", "", "Penicillin", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := allergyConflicts(c.drug, []core.Allergy{{Substance: c.allergy, Severity: "severe"}})
			switch {
			case c.want == "" && len(got) != 0:
				t.Fatalf("%q for an allergy to %q: conflict %q, want none", c.drug, c.allergy, got[0].Reason)
			case c.want != "" && len(got) != 1:
				t.Fatalf("%q for an allergy to %q: %d conflicts, want 1 (%q)", c.drug, c.allergy, len(got), c.want)
			case c.want != "" && got[0].Reason != c.want:
				t.Fatalf("%q for an allergy to %q: reason %q, want %q", c.drug, c.allergy, got[0].Reason, c.want)
			}
		})
	}
}

// Each allergy a drug conflicts with is named, in the order recorded, and
// the refusal's message reads as the contract shows.
func TestAllergyMessage(t *testing.T) {
	allergies := []core.Allergy{{Substance: "Latex", Severity: "moderate"}, {Substance: "Penicillin", Severity: "severe"},
		{Substance: "Amoxil", Severity: ""}, {Substance: "Shellfish", Severity: "mild"}}
	got := allergyConflicts("amoxicillin", allergies)
	var names []string
	for _, c := range got {
		names = append(names, c.Allergy.Substance)
	}
	if !slices.Equal(names, []string{"Penicillin", "Amoxil"}) {
		t.Fatalf("conflicts with %v, want Penicillin and Amoxil", names)
	}
	want := "Jordan Avery has a recorded severe allergy to Penicillin: amoxicillin is a penicillin; " +
		"Jordan Avery has a recorded allergy to Amoxil: amoxicillin is the recorded allergen"
	if msg := allergyMessage("Jordan Avery", got); msg != want {
		t.Fatalf("message %q, want %q", msg, want)
	}
}

// Every class a drug names exists, and every drug's names are folded words
// (a name with a capital or a plural would never match).
func TestAllergyMapIsWellFormed(t *testing.T) {
	known := map[string]bool{}
	for _, c := range classes {
		known[c.key] = true
	}
	check := func(where string, names [][]string) {
		for _, n := range names {
			for _, w := range n {
				if got := words(w); len(got) != 1 || got[0] != w {
					t.Errorf("%s: name word %q folds to %v", where, w, got)
				}
			}
		}
	}
	for _, c := range classes {
		check("class "+c.key, c.names)
		for _, x := range c.crossReacts {
			if !known[x] {
				t.Errorf("class %s cross-reacts with unknown class %q", c.key, x)
			}
		}
	}
	for _, u := range umbrellas {
		check("umbrella", u.names)
		for _, x := range u.classes {
			if !known[x] {
				t.Errorf("umbrella names unknown class %q", x)
			}
		}
	}
	for _, d := range drugs {
		check("drug "+d.generic, d.names)
		for _, x := range d.classes {
			if !known[x] {
				t.Errorf("drug %s is of unknown class %q", d.generic, x)
			}
		}
	}
}

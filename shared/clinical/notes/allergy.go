package notes

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/topsmile/topsmile/shared/clinical/core"
)

// This file is the one place that knows which drugs a recorded allergy
// rules out: a small map of the drugs a dental office prescribes or
// administers, the classes they belong to, and a handful of brand names.
// It is a safety net for the prescriber, not a drug-interaction database:
// an allergy it does not recognize is still matched by name.
//
// Matching works on whole words, folded (lower case, accents removed,
// "anaesthetic" spelt "anesthetic", "sulpha" "sulfa", a final plural "s"
// dropped), so "Pénicillines" names the penicillins and "ibuprofen" never
// matches inside "penicillin", nor "penicillin" inside "penicillamine".

// drugClass is a class of drugs an allergy can name as a whole.
type drugClass struct {
	key string
	// noun is a member's description: "amoxicillin is <noun>".
	noun string
	// plural names the class in cross-reactivity reasons.
	plural string
	// names are the ways an allergy names the class: each is a set of
	// words that must all be present.
	names [][]string
	// crossReacts are the classes whose allergy flags this one too.
	crossReacts []string
}

var classes = []drugClass{
	{key: "penicillin", noun: "a penicillin", plural: "penicillins",
		names: [][]string{{"penicillin"}, {"penicilline"}, {"pcn"}}},
	// Cross-reactivity of cephalosporins in a penicillin-allergic patient
	// is low but real (higher for the first generation dentists reach for,
	// such as cephalexin): flagged, so the prescriber decides on the record.
	{key: "cephalosporin", noun: "a cephalosporin", plural: "cephalosporins",
		names: [][]string{{"cephalosporin"}, {"cephalosporine"}}, crossReacts: []string{"penicillin"}},
	{key: "nsaid", noun: "an NSAID", plural: "NSAIDs",
		names: [][]string{{"nsaid"}, {"non", "steroidal"}, {"nonsteroidal"}, {"salicylate"}}},
	{key: "sulfonamide", noun: "a sulfonamide", plural: "sulfonamides",
		names: [][]string{{"sulfa"}, {"sulfonamide"}, {"sulfamide"}}},
	{key: "opioid", noun: "an opioid", plural: "opioids",
		names: [][]string{{"opioid"}, {"opiate"}, {"narcotic"}}},
	// Ester anaesthetics are metabolized to PABA, the usual culprit of
	// their (rare) true allergies: a PABA allergy rules them out.
	{key: "ester", noun: "an ester-type local anaesthetic", plural: "ester-type local anaesthetics",
		names: [][]string{{"ester", "anesthetic"}, {"ester", "caine"}, {"ester", "type"}, {"paba"}, {"para", "aminobenzoic"}}},
	{key: "amide", noun: "an amide-type local anaesthetic", plural: "amide-type local anaesthetics",
		names: [][]string{{"amide", "anesthetic"}, {"amide", "caine"}, {"amide", "type"}}},
}

// umbrellas name several classes at once, unless the allergy also names
// one of them specifically ("ester-type local anaesthetics" is not an
// allergy to lidocaine).
var umbrellas = []struct {
	names   [][]string
	classes []string
}{
	{names: [][]string{{"local", "anesthetic"}, {"caine"}, {"dental", "anesthetic"}}, classes: []string{"ester", "amide"}},
	{names: [][]string{{"beta", "lactam"}, {"betalactam"}}, classes: []string{"penicillin", "cephalosporin"}},
}

// drug is a generic drug: the names that identify it (generic spellings,
// brand names, each a set of words) and its classes.
type drug struct {
	generic string
	names   [][]string
	classes []string
}

var drugs = []drug{
	{generic: "amoxicillin", names: [][]string{{"amoxicillin"}, {"amoxicilline"}, {"amoxycillin"}, {"amoxil"}, {"augmentin"}}, classes: []string{"penicillin"}},
	{generic: "clavulanate", names: [][]string{{"clavulanate"}, {"clavulanic"}, {"augmentin"}}},
	{generic: "ampicillin", names: [][]string{{"ampicillin"}}, classes: []string{"penicillin"}},
	{generic: "penicillin V", names: [][]string{{"penicillin"}, {"pen", "vk"}, {"phenoxymethylpenicillin"}}, classes: []string{"penicillin"}},
	{generic: "dicloxacillin", names: [][]string{{"dicloxacillin"}}, classes: []string{"penicillin"}},
	{generic: "cephalexin", names: [][]string{{"cephalexin"}, {"cefalexin"}, {"keflex"}}, classes: []string{"cephalosporin"}},
	{generic: "cefadroxil", names: [][]string{{"cefadroxil"}}, classes: []string{"cephalosporin"}},
	{generic: "cefuroxime", names: [][]string{{"cefuroxime"}}, classes: []string{"cephalosporin"}},
	{generic: "ibuprofen", names: [][]string{{"ibuprofen"}, {"advil"}, {"motrin"}}, classes: []string{"nsaid"}},
	{generic: "naproxen", names: [][]string{{"naproxen"}, {"aleve"}, {"anaprox"}}, classes: []string{"nsaid"}},
	{generic: "ketorolac", names: [][]string{{"ketorolac"}, {"toradol"}}, classes: []string{"nsaid"}},
	{generic: "aspirin", names: [][]string{{"aspirin"}, {"acetylsalicylic"}, {"asa"}}, classes: []string{"nsaid"}},
	{generic: "diclofenac", names: [][]string{{"diclofenac"}, {"voltaren"}}, classes: []string{"nsaid"}},
	{generic: "sulfamethoxazole", names: [][]string{{"sulfamethoxazole"}, {"bactrim"}, {"septra"}}, classes: []string{"sulfonamide"}},
	{generic: "codeine", names: [][]string{{"codeine"}, {"tylenol", "3"}, {"tylenol", "4"}}, classes: []string{"opioid"}},
	{generic: "hydrocodone", names: [][]string{{"hydrocodone"}, {"vicodin"}, {"norco"}}, classes: []string{"opioid"}},
	{generic: "oxycodone", names: [][]string{{"oxycodone"}, {"percocet"}, {"oxycontin"}}, classes: []string{"opioid"}},
	{generic: "tramadol", names: [][]string{{"tramadol"}, {"ultram"}}, classes: []string{"opioid"}},
	{generic: "acetaminophen", names: [][]string{{"acetaminophen"}, {"paracetamol"}, {"tylenol"}}},
	{generic: "benzocaine", names: [][]string{{"benzocaine"}, {"orajel"}, {"anbesol"}}, classes: []string{"ester"}},
	{generic: "tetracaine", names: [][]string{{"tetracaine"}, {"amethocaine"}}, classes: []string{"ester"}},
	{generic: "procaine", names: [][]string{{"procaine"}, {"novocain"}, {"novocaine"}}, classes: []string{"ester"}},
	{generic: "lidocaine", names: [][]string{{"lidocaine"}, {"lidocaina"}, {"lignocaine"}, {"xylocaine"}}, classes: []string{"amide"}},
	{generic: "articaine", names: [][]string{{"articaine"}, {"septocaine"}}, classes: []string{"amide"}},
	{generic: "mepivacaine", names: [][]string{{"mepivacaine"}, {"carbocaine"}, {"polocaine"}}, classes: []string{"amide"}},
	{generic: "bupivacaine", names: [][]string{{"bupivacaine"}, {"marcaine"}}, classes: []string{"amide"}},
	{generic: "prilocaine", names: [][]string{{"prilocaine"}, {"citanest"}}, classes: []string{"amide"}},
	{generic: "chlorhexidine", names: [][]string{{"chlorhexidine"}, {"peridex"}}},
}

// fillerWords say nothing about the substance: an allergy matched by name
// (one the map does not know) is matched on its other words.
var fillerWords = []string{"allergy", "allergic", "allergie", "to", "of", "and", "or", "the", "drug", "medication",
	"medicine", "class", "type", "agent", "antibiotic", "reaction", "severe", "mild", "oral", "tablet", "capsule", "liquid",
	"solution", "suspension", "rinse", "gel", "cream", "injection", "acid", "sodium", "potassium", "hydrochloride", "hcl",
	"mg", "ml", "with", "without", "plus", "extended", "release", "topical", "dental", "local", "anesthetic"}

// conflict is a recorded allergy that rules a drug out, and why.
type conflict struct {
	Allergy core.Allergy
	// Reason names the link: "amoxicillin is a penicillin".
	Reason string
}

// allergyConflicts are the patient's allergies that rule out the drug
// named (as a prescriber types it: "Amoxil 500", "Tylenol #3"), in the
// order they are recorded, each with its strongest reason.
func allergyConflicts(drugName string, allergies []core.Allergy) []conflict {
	dw := words(drugName)
	if len(dw) == 0 {
		return nil
	}
	given := identify(dw)
	var out []conflict
	for _, a := range allergies {
		if reason := conflictReason(drugName, dw, given, words(a.Substance)); reason != "" {
			out = append(out, conflict{Allergy: a, Reason: reason})
		}
	}
	return out
}

// conflictReason is why an allergy (its words aw) rules out the drug, or
// "" when it does not. The strongest link wins: the drug itself, its class
// named, a drug of the same class, a class known to cross-react, and last
// a word of an allergy the map does not know.
func conflictReason(drugName string, dw []string, given []drug, aw []string) string {
	if len(aw) == 0 {
		return ""
	}
	allergens := identify(aw)
	named := namedClasses(aw)
	for _, g := range given {
		for _, x := range allergens {
			if x.generic == g.generic {
				if fold(drugName) == fold(g.generic) {
					return g.generic + " is the recorded allergen"
				}
				return fmt.Sprintf("%s contains %s", strings.TrimSpace(drugName), g.generic)
			}
		}
	}
	for _, g := range given {
		for _, c := range g.classes {
			if slices.Contains(named, c) {
				return fmt.Sprintf("%s is %s", g.generic, class(c).noun)
			}
		}
	}
	for _, g := range given {
		for _, x := range allergens {
			for _, c := range g.classes {
				if slices.Contains(x.classes, c) {
					return fmt.Sprintf("%s is %s, like %s", g.generic, class(c).noun, x.generic)
				}
			}
		}
	}
	// The classes the allergy reaches: named, or those of the drugs named.
	reached := slices.Clone(named)
	for _, x := range allergens {
		reached = append(reached, x.classes...)
	}
	for _, g := range given {
		for _, c := range g.classes {
			for _, other := range class(c).crossReacts {
				if slices.Contains(reached, other) {
					return fmt.Sprintf("%s is %s, and %s can cross-react with %s", g.generic, class(c).noun, class(c).plural, class(other).plural)
				}
			}
		}
	}
	if len(allergens) == 0 && len(named) == 0 {
		for _, w := range aw {
			if len([]rune(w)) >= 4 && !slices.Contains(fillerWords, w) && slices.Contains(dw, w) {
				return fmt.Sprintf("%s contains %s", strings.TrimSpace(drugName), w)
			}
		}
	}
	return ""
}

// identify is the drugs named in words w.
func identify(w []string) []drug {
	var out []drug
	for _, d := range drugs {
		if namedBy(w, d.names) {
			out = append(out, d)
		}
	}
	return out
}

// namedClasses is the classes words w name, umbrellas included.
func namedClasses(w []string) []string {
	var out []string
	for _, c := range classes {
		if namedBy(w, c.names) {
			out = append(out, c.key)
		}
	}
	for _, u := range umbrellas {
		specific := false
		for _, c := range u.classes {
			specific = specific || slices.Contains(out, c)
		}
		if !specific && namedBy(w, u.names) {
			out = append(out, u.classes...)
		}
	}
	return out
}

// namedBy reports whether words w hold every word of one of names.
func namedBy(w []string, names [][]string) bool {
	for _, n := range names {
		all := true
		for _, part := range n {
			all = all && slices.Contains(w, part)
		}
		if all {
			return true
		}
	}
	return false
}

func class(key string) drugClass {
	for _, c := range classes {
		if c.key == key {
			return c
		}
	}
	return drugClass{key: key, noun: key, plural: key}
}

// fold lower-cases s and strips its accents ("Pénicilline" → "penicilline").
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(strings.TrimSpace(out))
}

// words are s's folded words, spelling variants made one ("Tylenol #3" →
// tylenol, 3; "Anaesthetics" → anesthetic).
func words(s string) []string {
	fields := strings.FieldsFunc(fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	out := make([]string, 0, len(fields))
	for _, w := range fields {
		w = strings.ReplaceAll(w, "anaesth", "anesth")
		w = strings.ReplaceAll(w, "sulph", "sulf")
		if len(w) > 4 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
			w = strings.TrimSuffix(w, "s")
		}
		out = append(out, w)
	}
	return out
}

// allergyMessage is the refusal's text: "Jordan Avery has a recorded
// severe allergy to Penicillin: amoxicillin is a penicillin".
func allergyMessage(patient string, cs []conflict) string {
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		sev := ""
		if s := strings.TrimSpace(c.Allergy.Severity); s != "" {
			sev = s + " "
		}
		parts = append(parts, fmt.Sprintf("%s has a recorded %sallergy to %s: %s", patient, sev, strings.TrimSpace(c.Allergy.Substance), c.Reason))
	}
	return strings.Join(parts, "; ")
}

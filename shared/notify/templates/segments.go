package templates

import "unicode/utf16"

// GSM 03.38: the default alphabet (one septet each) and its extension table
// (an escape plus one septet).
const (
	gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
		"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsmExtension = "^{}\\[~]|€\f"
)

var gsmSeptets = func() map[rune]int {
	m := map[rune]int{}
	for _, r := range gsmBasic {
		m[r] = 1
	}
	for _, r := range gsmExtension {
		m[r] = 2
	}
	return m
}()

// Encoding names of Segments.
const (
	GSM7 = "GSM-7"
	UCS2 = "UCS-2"
)

// Segments counts the SMS parts text is sent in: GSM-7 when every character
// is in the GSM alphabet (160 septets alone, 153 per part when split), else
// UCS-2 (70 UTF-16 units alone, 67 per part).
func Segments(text string) (parts int, encoding string) {
	septets := 0
	for _, r := range text {
		n, ok := gsmSeptets[r]
		if !ok {
			units := len(utf16.Encode([]rune(text)))
			return split(units, 70, 67), UCS2
		}
		septets += n
	}
	return split(septets, 160, 153), GSM7
}

func split(n, single, multi int) int {
	switch {
	case n == 0:
		return 0
	case n <= single:
		return 1
	}
	return (n + multi - 1) / multi
}

package auth

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
	"github.com/trustelem/zxcvbn/match"

	"github.com/meridian-crm/meridian/internal/fault"
)

// The password policy. A password is refused when it is shorter than MinPasswordRunes, longer
// than MaxPasswordBytes (bounding the work a sign-in does on attacker-chosen input), not UTF-8
// text, or when the zxcvbn strength estimator (github.com/trustelem/zxcvbn, a port of Dropbox's
// zxcvbn 4.4.2) guesses it in fewer than 10^8 tries (a score below MinPasswordScore). zxcvbn
// knows the 30,000 most common passwords of leaked password lists, English words, first names
// and surnames, keyboard rows, repeats, sequences, dates and l33t spellings; it is also given
// the user's email address and name, the organisation's name and the product's name, so that a
// password built on them counts as guessed at once.
const (
	MinPasswordRunes = 10
	MaxPasswordBytes = 256
	// MinPasswordScore is the lowest zxcvbn score (0–4) accepted: 3 is at least 10^8 guesses,
	// "safely unguessable" against an attacker who must hash each guess with argon2id.
	MinPasswordScore = 3
	// strengthRunes is how much of a password the estimator reads. Its time grows steeply
	// with the length (measured: 10–60 ms for 64 random characters, 0.3–1.8 s for 128, 15 s for
	// 256), and the policy runs before any sign-in secret is checked; a longer password is
	// judged by its first 64 characters.
	strengthRunes = 64
	// ProductName is given to the estimator as a word a password must not be built on.
	ProductName = "Meridian"
)

// PasswordUser is what a user's password must not be built on.
type PasswordUser struct {
	Email, Name  string
	Organization string // the tenant's name
}

// Reasons a password is refused, as the code of the fault's detail (clients translate them).
const (
	reasonTooShort     = "password_too_short"
	reasonTooLong      = "password_too_long"
	reasonNotText      = "password_not_text"
	reasonEmail        = "password_has_email"
	reasonName         = "password_has_name"
	reasonOrganization = "password_has_organization"
	reasonProduct      = "password_has_product_name"
	reasonCommon       = "password_common"
	reasonRepeated     = "password_repeated"
	reasonSequence     = "password_sequence"
	reasonKeyboard     = "password_keyboard"
	reasonDate         = "password_date"
	reasonWords        = "password_common_words"
	reasonGuessable    = "password_guessable"
)

// CheckPasswordPolicy returns an Invalid fault with code "weak_password" and target "password"
// when pw breaks the policy. Its message says why in words a user understands; its one detail
// carries the reason's own code (password_common, password_has_email, …) for clients that
// translate it.
func CheckPasswordPolicy(pw string, u PasswordUser) error {
	switch {
	case len(pw) > MaxPasswordBytes:
		return weakPassword(reasonTooLong, fmt.Sprintf("it must be at most %d bytes long", MaxPasswordBytes))
	case !utf8.ValidString(pw):
		return weakPassword(reasonNotText, "it must be valid UTF-8 text")
	case utf8.RuneCountInString(pw) < MinPasswordRunes:
		return weakPassword(reasonTooShort, fmt.Sprintf("it must be at least %d characters long", MinPasswordRunes))
	}
	judged, n := pw, 0
	for i := range pw {
		if n == strengthRunes {
			judged = pw[:i]
			break
		}
		n++
	}
	inputs := passwordInputs(u)
	words := make([]string, 0, len(inputs))
	for w := range inputs {
		words = append(words, w)
	}
	res := zxcvbn.PasswordStrength(judged, words)
	if res.Score >= MinPasswordScore {
		return nil
	}
	reason, msg := passwordFeedback(judged, res.Sequence, inputs)
	return weakPassword(reason, msg)
}

func weakPassword(reason, why string) error {
	msg := "the password is too easy to guess: " + why
	if reason == reasonTooShort || reason == reasonTooLong || reason == reasonNotText {
		msg = "the password is not accepted: " + why
	}
	detail := fault.Field("password", reason, "%s", msg)
	head := fault.Field("password", "weak_password", "%s", msg)
	head.Details = []*fault.Error{detail}
	return head
}

// passwordInputs returns the words of u (and the product's name) zxcvbn must treat as known,
// lower-cased, each with the reason a match of it gives: the whole email, its local part (and
// its words) and the labels of its domain; the name and its words; the organisation's likewise.
func passwordInputs(u PasswordUser) map[string]string {
	out := map[string]string{}
	add := func(w, reason string) {
		w = strings.ToLower(strings.TrimSpace(w))
		if utf8.RuneCountInString(w) < 3 {
			return // too short to say a password is built on it ("li", "ab")
		}
		if _, ok := out[w]; !ok {
			out[w] = reason
		}
	}
	// A text, each of its words, and its words run together ("alice.wong": "alicewong").
	words := func(s, reason string) {
		add(s, reason)
		fs := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		for _, f := range fs {
			add(f, reason)
		}
		add(strings.Join(fs, ""), reason)
	}
	if email := strings.TrimSpace(u.Email); email != "" {
		add(email, reasonEmail)
		local, domain, _ := strings.Cut(email, "@")
		words(local, reasonEmail)
		labels := strings.Split(domain, ".")
		if len(labels) > 1 {
			labels = labels[:len(labels)-1] // not the top-level domain ("com")
		}
		for _, l := range labels {
			add(l, reasonEmail)
		}
	}
	words(u.Name, reasonName)
	words(u.Organization, reasonOrganization)
	add(ProductName, reasonProduct)
	return out
}

// passwordFeedback names the weakness of a password zxcvbn guessed, from the guessing sequence
// it found: a part built on the user's own words if any, else the longest part it explains (a
// common password, a repeat, a sequence, a keyboard row, a date, dictionary words).
func passwordFeedback(pw string, seq []*match.Match, inputs map[string]string) (reason, msg string) {
	best, bestLen, whole := reasonGuessable, 0, false
	for _, m := range seq {
		r := ""
		switch m.Pattern {
		case "dictionary":
			switch m.DictionaryName {
			case "user_inputs":
				return inputs[m.MatchedWord], feedbackText(inputs[m.MatchedWord], false)
			case "passwords":
				r = reasonCommon
			default:
				r = reasonWords
			}
		case "repeat":
			r = reasonRepeated
		case "sequence":
			r = reasonSequence
		case "spatial":
			r = reasonKeyboard
		case "date", "regex":
			r = reasonDate
		default:
			continue // bruteforce: the characters no pattern explains
		}
		if n := m.J - m.I + 1; n > bestLen {
			best, bestLen, whole = r, n, m.I == 0 && m.J == len(pw)-1
		}
	}
	return best, feedbackText(best, whole)
}

func feedbackText(reason string, whole bool) string {
	is := "it contains "
	if whole {
		is = "it is "
	}
	switch reason {
	case reasonEmail:
		return "it contains your email address (or part of it)"
	case reasonName:
		return "it contains your name"
	case reasonOrganization:
		return "it contains your organisation's name"
	case reasonProduct:
		return "it contains the name of the product (" + ProductName + ")"
	case reasonCommon:
		return is + "one of the most common passwords"
	case reasonRepeated:
		return is + `a repeated pattern, like "abcabc" or "aaaa"`
	case reasonSequence:
		return is + `a sequence, like "abcd" or "6543"`
	case reasonKeyboard:
		return is + `a row of neighbouring keys, like "qwerty" or "zxcvb"`
	case reasonDate:
		return is + "a date or a year"
	case reasonWords:
		return "it is made of common words or names; add another word or two (uncommon ones are better)"
	}
	return "make it longer, for example a few words together"
}

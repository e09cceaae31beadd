package data

import (
	"errors"
	"math"
	"strconv"
)

// maxID is the largest id the int32 index arrays can hold.
const maxID = math.MaxInt32 - 1

var (
	errNotNumber  = errors.New("not a number")
	errNaNInf     = errors.New("NaN or Inf is not a valid value")
	errOverflow32 = errors.New("value overflows float32")
)

// pow10f32 holds the powers of ten that float32 represents exactly.
var pow10f32 = [...]float32{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10}

// scanUint reads the decimal digits of b starting at i and returns the value,
// the index after the digits, and whether the value is at most limit. A value
// beyond limit still consumes all its digits and is returned as limit+1
// (callers quote the digits, b[i:j], in messages). No digits gives j == i.
// limit must be below 2^64 − 9.
func scanUint(b []byte, i int, limit uint64) (v uint64, j int, ok bool) {
	v, j = accumDigits(b, i, 0)
	if j-i > 19 { // it may have wrapped: read again, stopping past the limit
		v = 0
		for k := i; k < j; k++ {
			if v > limit/10 { // v*10 > limit
				return limit + 1, j, false
			}
			v = v*10 + uint64(b[k]-'0')
		}
	}
	if v > limit {
		return limit + 1, j, false
	}
	return v, j, true
}

// parseFloat32 parses one numeric token. Plain decimals with at most 7
// significant digits and small exponents (nearly every value in XC and LIBSVM
// files) take an exact fast path: both operands are exact float32 values, so
// one IEEE division or multiplication rounds correctly. Everything else goes
// to strconv. NaN, Inf, hex floats and values beyond float32 are rejected.
func parseFloat32(b []byte) (float32, error) {
	i := 0
	neg := false
	if i < len(b) && (b[i] == '-' || b[i] == '+') {
		neg = b[i] == '-'
		i++
	}
	var mant uint64
	exp := 0
	digits := 0
	sawDigit := false
	for ; i < len(b); i++ {
		c := b[i] - '0'
		if c > 9 {
			break
		}
		sawDigit = true
		if mant != 0 || c != 0 {
			digits++
		}
		if digits <= 19 {
			mant = mant*10 + uint64(c)
		} else {
			exp++
		}
	}
	if i < len(b) && b[i] == '.' {
		i++
		for ; i < len(b); i++ {
			c := b[i] - '0'
			if c > 9 {
				break
			}
			sawDigit = true
			if mant != 0 || c != 0 {
				digits++
			}
			if digits <= 19 {
				mant = mant*10 + uint64(c)
				exp--
			}
		}
	}
	if !sawDigit {
		return 0, numberErr(b)
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		eneg := false
		if i < len(b) && (b[i] == '-' || b[i] == '+') {
			eneg = b[i] == '-'
			i++
		}
		e, j, ok := scanUint(b, i, 100000)
		if j == i {
			return 0, numberErr(b)
		}
		i = j
		if !ok {
			e = 100000
		}
		if eneg {
			exp -= int(e)
		} else {
			exp += int(e)
		}
	}
	if i != len(b) {
		return 0, numberErr(b)
	}
	if mant == 0 {
		if neg {
			return float32(math.Copysign(0, -1)), nil
		}
		return 0, nil
	}
	for mant%10 == 0 {
		mant /= 10
		exp++
	}
	if mant < 1<<24 && exp >= -10 && exp <= 10 {
		f := float32(mant)
		if exp < 0 {
			f /= pow10f32[-exp]
		} else {
			f *= pow10f32[exp]
		}
		if neg {
			f = -f
		}
		return f, nil
	}
	return slowFloat32(b)
}

// scanFloat32 parses the value token that starts at b[i] in one pass, for
// the shape nearly every value in XC and LIBSVM files has: unsigned digits
// with an optional fraction ("1.000000", "0.034512", "12"), at most 19
// digits, ending at a space, a tab or the end of b. It returns the value,
// the index after the token and true; for any other token (a sign, an
// exponent, too many digits, trailing bytes, no digits) it returns false and
// the caller must find the token's end and call parseFloat32, which accepts
// or explains it. Where it answers, it gives parseFloat32's value: the
// mantissa (below 2^24) and the power of ten (at most 10^10) are exact
// float32 values, so their one IEEE division is the correctly rounded value
// of the decimal, as parseFloat32's is.
func scanFloat32(b []byte, i int) (float32, int, bool) {
	mant, j := accumDigits(b, i, 0)
	digits, frac := j-i, 0
	if j < len(b) && b[j] == '.' {
		i = j + 1
		mant, j = accumDigits(b, i, mant)
		frac = j - i
		digits += frac
	}
	if digits == 0 || digits > 19 || frac > 10 || mant >= 1<<24 {
		return 0, j, false
	}
	if j < len(b) && b[j] != ' ' && b[j] != '\t' {
		return 0, j, false
	}
	return float32(mant) / pow10f32[frac], j, true
}

// accumDigits appends the decimal digits of b from i to mant (which wraps
// past 19 digits) and returns it with the index after the digits.
func accumDigits(b []byte, i int, mant uint64) (uint64, int) {
	for i < len(b) {
		c := b[i] - '0'
		if c > 9 {
			break
		}
		mant = mant*10 + uint64(c)
		i++
	}
	return mant, i
}

func slowFloat32(b []byte) (float32, error) {
	v, err := strconv.ParseFloat(string(b), 32)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange && math.IsInf(v, 0) {
			return 0, errOverflow32
		}
		return 0, numberErr(b)
	}
	return float32(v), nil
}

// numberErr explains why a token is not a number we accept.
func numberErr(b []byte) error {
	s := string(b)
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	switch lower(s) {
	case "nan", "inf", "infinity":
		return errNaNInf
	}
	return errNotNumber
}

func lower(s string) string {
	if len(s) > 8 {
		return ""
	}
	var buf [8]byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return string(buf[:len(s)])
}

// appendFloat32 formats v with the fewest digits that read back to the same
// float32, the inverse of parseFloat32.
func appendFloat32(dst []byte, v float32) []byte {
	if v > -1e7 && v < 1e7 && v == float32(int32(v)) {
		return strconv.AppendInt(dst, int64(v), 10)
	}
	return strconv.AppendFloat(dst, float64(v), 'g', -1, 32)
}

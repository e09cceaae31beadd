package nn

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"sync"
)

// The initial weights come from math/rand/v2's PCG, one Uint64 per value.
// To fill a tensor in parallel chunks and still get the values of one
// sequential stream, each chunk starts from the state the stream would
// have reached there: PCG's state is a 128-bit LCG, s' = s·mul + inc mod
// 2^128, which can be advanced n steps in O(log n) multiplications.

// u128 is a 128-bit unsigned integer (arithmetic mod 2^128).
type u128 struct{ hi, lo uint64 }

func (a u128) mul(b u128) u128 {
	hi, lo := bits.Mul64(a.lo, b.lo)
	return u128{hi + a.hi*b.lo + a.lo*b.hi, lo}
}

func (a u128) add(b u128) u128 {
	lo, c := bits.Add64(a.lo, b.lo, 0)
	hi, _ := bits.Add64(a.hi, b.hi, c)
	return u128{hi, lo}
}

// PCG's multiplier and increment (math/rand/v2, pcg.go). pcgJumpWorks
// checks them against the real generator before any jump is used.
var (
	pcgMul = u128{2549297995355413924, 4865540595714422341}
	pcgInc = u128{6364136223846793005, 1442695040888963407}
)

// pcgAdvance returns the LCG state n steps after s (Brown, "Random number
// generation with arbitrary strides", 1994).
func pcgAdvance(s u128, n uint64) u128 {
	accMul, accAdd := u128{0, 1}, u128{}
	curMul, curAdd := pcgMul, pcgInc
	for ; n > 0; n >>= 1 {
		if n&1 == 1 {
			accMul = accMul.mul(curMul)
			accAdd = accAdd.mul(curMul).add(curAdd)
		}
		curAdd = curMul.add(u128{0, 1}).mul(curAdd)
		curMul = curMul.mul(curMul)
	}
	return accMul.mul(s).add(accAdd)
}

// pcgState reads a PCG's state through its binary encoding ("pcg:", then
// the high and low words big-endian).
func pcgState(p *rand.PCG) (u128, bool) {
	b, err := p.MarshalBinary()
	if err != nil || len(b) != 20 || string(b[:4]) != "pcg:" {
		return u128{}, false
	}
	return u128{binary.BigEndian.Uint64(b[4:]), binary.BigEndian.Uint64(b[12:])}, true
}

// pcgJumpWorks reports whether jumping reproduces this Go's PCG: that
// NewPCG(hi, lo) starts in state (hi, lo), and that its steps are
// pcgAdvance's. If a Go release changed either, the weights are drawn
// sequentially, as they would be anyway.
var pcgJumpWorks = sync.OnceValue(func() bool {
	s0 := u128{0x9e3779b97f4a7c15, 0xd1b54a32d192ed03}
	p := rand.NewPCG(s0.hi, s0.lo)
	if s, ok := pcgState(p); !ok || s != s0 {
		return false
	}
	for n := uint64(1); n <= 1000; n++ {
		p.Uint64()
		if s, _ := pcgState(p); s != pcgAdvance(s0, n) {
			return false
		}
	}
	return true
})

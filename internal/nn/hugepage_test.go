package nn

import "testing"

// SetHugePages(false) keeps Floats from advising; true (the default)
// advises every tensor it allocates.
func TestSetHugePages(t *testing.T) {
	calls := 0
	defer func(f func([]float32)) { advise = f; SetHugePages(true) }(advise)
	advise = func([]float32) { calls++ }
	Floats(10)
	SetHugePages(false)
	Floats(10)
	SetHugePages(true)
	Floats(10)
	if calls != 2 {
		t.Fatalf("advised %d of 3 tensors, want 2 (the one allocated with huge pages off skipped)", calls)
	}
}

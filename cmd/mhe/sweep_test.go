package main

import (
	"errors"
	"testing"
)

// TestMemoHash: each path is hashed once, whatever number of runs ask; a
// failure is not remembered (the next run asks again).
func TestMemoHash(t *testing.T) {
	calls := map[string]int{}
	fail := true
	h := memoHash(func(path string) (string, error) {
		calls[path]++
		if path == "flaky" && fail {
			return "", errors.New("unreadable")
		}
		return "sum of " + path, nil
	})
	for range 3 {
		for _, p := range []string{"a", "b"} {
			if got, err := h(p); err != nil || got != "sum of "+p {
				t.Fatalf("h(%q) = %q, %v", p, got, err)
			}
		}
	}
	if _, err := h("flaky"); err == nil {
		t.Fatal("h(flaky): no error")
	}
	fail = false
	if got, err := h("flaky"); err != nil || got != "sum of flaky" {
		t.Fatalf("h(flaky) again = %q, %v", got, err)
	}
	if calls["a"] != 1 || calls["b"] != 1 || calls["flaky"] != 2 {
		t.Errorf("calls %v, want a and b once, flaky twice", calls)
	}
}

package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/config"
)

// FuzzLoadConfig reads arbitrary bytes as a run config (YAML through viper,
// unknown-key check, typed decoding, validation): a config or a
// configuration error (exit 2) that names the file, never a panic. Seeds: every shipped config
// and the corpus's broken ones.
func FuzzLoadConfig(f *testing.F) {
	for _, glob := range []string{"../../configs/*.yaml", "../../testdata/corpus/*.yaml"} {
		files, _ := filepath.Glob(glob)
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte("train: {epochs: [1, 2]}\n"))
	f.Add([]byte("head: 5\n"))
	f.Add([]byte("eval: {k: \"1,x\"}\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "fuzz.yaml")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := validConfig(configInput{File: p})
		if err != nil && !errors.Is(err, config.ErrInvalid) {
			t.Fatalf("error is not a configuration error (exit 2): %v", err)
		}
		if err != nil && !strings.Contains(err.Error(), p) {
			t.Fatalf("error does not name the config file: %v", err)
		}
	})
}

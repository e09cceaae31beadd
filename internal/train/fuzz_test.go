package train

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/mhe-xlc/mhe/internal/modelio"
)

// FuzzFromManifest feeds edited manifests (the one file of a model
// directory that no checksum protects) to the model loader: it must
// return a model or a model error, never panic or allocate without bound.
func FuzzFromManifest(f *testing.F) {
	for _, name := range []string{"mhp", "mhc", "mhs", "vanilla"} {
		raw, err := os.ReadFile(filepath.Join("testdata", "manifest-"+name+".json"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte(`{"format":"mhe-model","labels":1000000000000,"features":5,"head":{"method":"vanilla","lengths":[1000000000000]}}`))
	f.Add([]byte(`{"labels":3,"features":2,"encoder":{"type":"mlp","hidden":[0]},"head":{"method":"mhp","lengths":[2,2]}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var man modelio.Manifest
		if json.Unmarshal(raw, &man) != nil {
			return
		}
		m, err := FromManifest(&man)
		if err != nil {
			if !IsModelError(err) {
				t.Fatalf("not a model error: %v", err)
			}
			return
		}
		if m.Net == nil || m.Head == nil || m.Head.NumLabels() != man.Labels {
			t.Fatalf("accepted manifest gives an incomplete model: %+v", m)
		}
	})
}

// The seed manifests are real: they load into models.
func TestSeedManifests(t *testing.T) {
	for _, name := range []string{"mhp", "mhc", "mhs", "vanilla"} {
		raw, err := os.ReadFile(filepath.Join("testdata", "manifest-"+name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var man modelio.Manifest
		if err := json.Unmarshal(raw, &man); err != nil {
			t.Fatal(err)
		}
		if _, err := FromManifest(&man); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	var man modelio.Manifest
	json.Unmarshal([]byte(`{"labels":2000000000000,"features":5,"head":{"method":"vanilla"}}`), &man)
	if _, err := FromManifest(&man); !errors.Is(err, modelio.ErrCorrupt) {
		t.Errorf("10^12 labels: %v, want a corrupt-model error", err)
	}
}

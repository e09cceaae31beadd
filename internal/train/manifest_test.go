package train

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mhe-xlc/mhe/internal/config"
	"github.com/mhe-xlc/mhe/internal/modelio"
)

// A trained model's manifest describes it (what mhe predict, eval and
// report read instead of the config), and the model loaded from it
// preprocesses its input and orders its labels as the trained one did, and
// keeps its training label counts.
func TestManifestDescribesModel(t *testing.T) {
	for _, c := range []struct {
		name   string
		set    func(*config.Config)
		check  func(t *testing.T, man *modelio.Manifest)
		hidden []int
	}{
		{"mhc-cluster-tfidf", func(c *config.Config) {
			c.Head.Method, c.Head.LabelOrder, c.Head.BottleneckDim, c.Head.Beam, c.Head.PathScore = "mhc", "cluster", 8, 4, "last"
			c.Data.TFIDF = true
		}, func(t *testing.T, man *modelio.Manifest) {
			if man.Head.PathScore != "last" || !man.Preprocess.TFIDF || man.LabelOrder != "cluster" ||
				man.LabelPermutation != "tensor labels.perm in "+man.WeightsFile {
				t.Errorf("path score %q, tf-idf %v, order %q, permutation %q", man.Head.PathScore, man.Preprocess.TFIDF, man.LabelOrder, man.LabelPermutation)
			}
		}, []int{64}},
		{"vanilla-linear-raw", func(c *config.Config) {
			c.Head.Method = "vanilla"
			c.Encoder.Type, c.Encoder.Hidden, c.Encoder.Dropout, c.Data.Normalize = "linear", nil, 0, "none"
			c.Head.PathScore = "last" // not MHC's: not recorded
		}, func(t *testing.T, man *modelio.Manifest) {
			if man.Head.PathScore != "" || man.Preprocess.TFIDF || man.Preprocess.Normalize != "none" || man.LabelPermutation != "identity" || man.Encoder.Hidden != nil {
				t.Errorf("path score %q, tf-idf %v, normalize %q, permutation %q, hidden %v", man.Head.PathScore, man.Preprocess.TFIDF, man.Preprocess.Normalize, man.LabelPermutation, man.Encoder.Hidden)
			}
		}, nil},
		{"mhp-hashed-random", func(c *config.Config) {
			c.Head.LabelOrder = "random"
			c.Encoder.HashFeatures = 128
		}, func(t *testing.T, man *modelio.Manifest) {
			if man.Features != 128 || man.InputFeatures != 500 || man.Encoder.HashFeatures != 128 || man.Preprocess.Normalize != "l2" ||
				man.LabelPermutation != "tensor labels.perm in "+man.WeightsFile {
				t.Errorf("features %d of %d (hash %d), normalize %q, permutation %q", man.Features, man.InputFeatures, man.Encoder.HashFeatures, man.Preprocess.Normalize, man.LabelPermutation)
			}
		}, []int{64}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := synthConfig("mhp", "index")
			cfg.Train.Epochs = 1
			c.set(&cfg)
			dir := filepath.Join(t.TempDir(), "m")
			res := trainTo(t, cfg, dir)
			m, man, closeFn, err := LoadModel(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer closeFn()
			if man.Epochs != 1 || man.TrainRows != res.Model.TrainRows || man.Labels != 60 || man.Seed != cfg.Train.Seed || !slices.Equal(man.Encoder.Hidden, c.hidden) {
				t.Errorf("epochs %d, train rows %d (trained on %d), labels %d, seed %d, hidden %v", man.Epochs, man.TrainRows, res.Model.TrainRows, man.Labels, man.Seed, man.Encoder.Hidden)
			}
			c.check(t, man)
			got, want := m.Prep, res.Model.Prep
			if got.InputFeatures != want.InputFeatures || got.Hash != want.Hash || got.Normalize != want.Normalize || !slices.Equal(got.IDF, want.IDF) {
				t.Errorf("loaded preprocessing %+v, trained %+v", got, want)
			}
			if !slices.Equal(m.Perm, res.Model.Perm) {
				t.Error("loaded label permutation differs from the trained one")
			}
			// The training label counts, which PSP@k's propensities come from.
			if len(m.LabelCounts) != 60 || !slices.Equal(m.LabelCounts, res.Model.LabelCounts) {
				t.Errorf("loaded label counts %v, trained %v", m.LabelCounts, res.Model.LabelCounts)
			}
		})
	}
}

// FromManifest refuses a manifest that cannot describe a model, naming
// what is wrong, as a corrupt model.
func TestFromManifestRefuses(t *testing.T) {
	good := modelio.Manifest{Labels: 60, Features: 500, InputFeatures: 500, Head: modelio.Head{Method: "vanilla", Loss: "bce"},
		Encoder: modelio.Encoder{Type: "linear"}, Preprocess: modelio.Preprocess{Normalize: "l2"}}
	if m, err := FromManifest(&good); err != nil || !m.Prep.Normalize || m.Prep.Features() != 500 {
		t.Fatalf("a good manifest: %v", err)
	}
	for _, c := range []struct {
		name string
		edit func(*modelio.Manifest)
		want string
	}{
		{"no labels", func(m *modelio.Manifest) { m.Labels = 0 }, "labels 0 and features 500 must be positive"},
		{"no features", func(m *modelio.Manifest) { m.Features, m.InputFeatures = 0, 0 }, "labels 60 and features 0 must be positive"},
		{"features", func(m *modelio.Manifest) { m.Features = 400 }, "features 400 disagree with the preprocessing"},
		{"method", func(m *modelio.Manifest) { m.Head.Method = "tree" }, "manifest: "},
		{"mlp", func(m *modelio.Manifest) { m.Encoder.Type = "mlp" }, "an mlp encoder without hidden sizes"},
	} {
		man := good
		c.edit(&man)
		_, err := FromManifest(&man)
		if !errors.Is(err, modelio.ErrCorrupt) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want a corrupt-model error with %q", c.name, err, c.want)
		}
	}
	tiny := good // the least a manifest may hold: one label, one feature
	tiny.Labels, tiny.Features, tiny.InputFeatures = 1, 1, 1
	if _, err := FromManifest(&tiny); err != nil {
		t.Errorf("one label, one feature: %v", err)
	}
	raw := good
	raw.Preprocess.Normalize = "none"
	if m, err := FromManifest(&raw); err != nil || m.Prep.Normalize {
		t.Errorf("normalize none: normalizes %v (%v)", m != nil && m.Prep.Normalize, err)
	}
}

package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/mhe-xlc/mhe/internal/eval"
	"github.com/mhe-xlc/mhe/internal/report"
)

var errNotBuilt = errors.New("training is not in this build yet")

func newTrainCmd(s *streams, runF func() error) *cobra.Command {
	return &cobra.Command{Use: "train", Short: "Train a model (not in this build yet)", RunE: func(*cobra.Command, []string) error { return errNotBuilt }}
}

func newPredictCmd(s *streams, runF func() error) *cobra.Command {
	return &cobra.Command{Use: "predict", Short: "Predict with a model (not in this build yet)", RunE: func(*cobra.Command, []string) error { return errNotBuilt }}
}

func evalModel(cmd *cobra.Command, s *streams, o *evalOptions, f report.Format, p eval.EmptyPolicy) error {
	return errNotBuilt
}

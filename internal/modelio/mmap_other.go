//go:build !unix && !windows

package modelio

import "os"

// mapView cannot map here: mapFile reads the file whole.
func mapView(*os.File, int) ([]byte, func() error, error) { return nil, nil, errNoMapping }

package model_test

import (
	"testing"

	"gorgonia.org/tensor"

	_ "github.com/sslrun/sslrun/components/all"
	"github.com/sslrun/sslrun/registry"
)

func build[T any](t testing.TB, id string, params map[string]any) T {
	t.Helper()
	x, err := registry.Build[T](id, params)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func tensorOf(data []float32, shape ...int) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
}

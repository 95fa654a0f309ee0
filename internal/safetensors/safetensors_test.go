package safetensors_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sslrun/sslrun/internal/safetensors"
)

// le64 is n as the 8-byte header length.
func le64(n int) string { return string(binary.LittleEndian.AppendUint64(nil, uint64(n))) }

// raw is a file with the given header, unpadded, and buffer.
func raw(header string, buf ...byte) []byte {
	return []byte(le64(len(header)) + header + string(buf))
}

func write(t testing.TB, tensors []safetensors.Tensor, metadata map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := safetensors.Write(&b, tensors, metadata); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func sample() []safetensors.Tensor {
	return []safetensors.Tensor{
		safetensors.F32("layer.weight", []int{2, 3}, []float32{1, -2, 3.5, float32(math.Inf(1)), float32(math.Copysign(0, -1)), 1e-30}),
		safetensors.I64("layer.count", nil, []int64{-7}),
		safetensors.F32("empty", []int{0, 3}, nil),
		{Name: "bytes", DType: safetensors.Uint8, Shape: []int{3}, Data: []byte{1, 2, 3}},
		{Name: "doubles", DType: safetensors.Float64, Shape: []int{1}, Data: binary.LittleEndian.AppendUint64(nil, math.Float64bits(math.Pi))},
		safetensors.F32("a.bias", []int{1}, []float32{0.25}),
	}
}

// TestRoundTrip: Write then Read gives the tensors back in the buffer order
// Write chose, every tensor's data aligned to its element size; writing the
// result again, or the input in another order, gives the same bytes.
func TestRoundTrip(t *testing.T) {
	in := sample()
	meta := map[string]string{"format": "pt", "z": "last", "a": "first"}
	data := write(t, in, meta)
	f, err := safetensors.Read(data)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tn := range f.Tensors {
		names = append(names, tn.Name)
	}
	// 8-byte types first, then 4, then 1; by name within a type.
	want := []string{"layer.count", "doubles", "a.bias", "empty", "layer.weight", "bytes"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("tensor order (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(meta, f.Metadata); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}
	at := 8 + int(binary.LittleEndian.Uint64(data)) // where the buffer starts
	if at%8 != 0 {
		t.Errorf("header length %d is not a multiple of 8", at-8)
	}
	for _, x := range f.Tensors {
		if at%x.DType.Size() != 0 {
			t.Errorf("tensor %q starts at byte %d, not aligned to %d", x.Name, at, x.DType.Size())
		}
		at += len(x.Data)
	}
	for _, x := range in {
		got, ok := f.Get(x.Name)
		if !ok {
			t.Fatalf("tensor %q missing", x.Name)
		}
		if diff := cmp.Diff(x, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("tensor %q (-wrote +read):\n%s", x.Name, diff)
		}
	}
	if _, ok := f.Get("nope"); ok {
		t.Errorf("Get found a tensor that is not there")
	}
	if again := write(t, f.Tensors, f.Metadata); !bytes.Equal(again, data) {
		t.Errorf("rewriting what was read gives other bytes")
	}
	reversed := make([]safetensors.Tensor, len(in))
	for i, x := range in {
		reversed[len(in)-1-i] = x
	}
	if other := write(t, reversed, meta); !bytes.Equal(other, data) {
		t.Errorf("the input order changes the bytes")
	}

	weight, _ := f.Get("layer.weight")
	count, _ := f.Get("layer.count")
	w, err := weight.Float32s()
	if err != nil {
		t.Fatal(err)
	}
	if want := []float32{1, -2, 3.5, float32(math.Inf(1)), 0, 1e-30}; !cmp.Equal(w, want) || !math.Signbit(float64(w[4])) {
		t.Errorf("Float32s = %v, want %v", w, want)
	}
	c, err := count.Int64s()
	if err != nil || !cmp.Equal(c, []int64{-7}) {
		t.Errorf("Int64s = %v, %v; want [-7]", c, err)
	}
	if _, err := count.Float32s(); err == nil || !strings.Contains(err.Error(), `"layer.count" is I64, not F32`) {
		t.Errorf("Float32s of an I64 tensor: %v", err)
	}
	bad := safetensors.Tensor{Name: "x", DType: safetensors.Int64, Shape: []int{2}, Data: make([]byte, 8)}
	if _, err := bad.Int64s(); err == nil || !strings.Contains(err.Error(), "takes 16 bytes, data has 8") {
		t.Errorf("Int64s of a short tensor: %v", err)
	}
}

// TestReferenceBytes compares Write with the bytes the reference
// implementation's own tests expect, and pins the dtype order and the
// string escaping (serde_json's: control characters, quote and backslash
// only; everything else, <, > and & and U+2028 included, as is).
func TestReferenceBytes(t *testing.T) {
	six := []float32{0, 1, 2, 3, 4, 5}
	f32 := string(safetensors.F32("", nil, six).Data)
	tests := []struct {
		name     string
		tensors  []safetensors.Tensor
		metadata map[string]string
		want     string
	}{
		{"one tensor", []safetensors.Tensor{safetensors.F32("attn.0", []int{1, 2, 3}, six)}, nil,
			le64(64) + `{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}` + f32},
		{"padding", []safetensors.Tensor{safetensors.F32("attn0", []int{1, 1, 2, 3}, six)}, nil,
			le64(72) + `{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       ` + f32},
		{"empty", nil, nil, le64(8) + `{}      `},
		{"metadata only", nil, map[string]string{"framework": "pt"},
			le64(40) + `{"__metadata__":{"framework":"pt"}}     `},
		{"dtype order", []safetensors.Tensor{
			{Name: "a", DType: safetensors.Uint8, Shape: []int{}, Data: []byte{9}},
			safetensors.F32("b", []int{}, []float32{0}),
			safetensors.I64("c", []int{}, []int64{1}),
			{Name: "d", DType: safetensors.Float64, Shape: []int{}, Data: make([]byte, 8)},
		}, map[string]string{},
			le64(232) + `{"__metadata__":{},"c":{"dtype":"I64","shape":[],"data_offsets":[0,8]},` +
				`"d":{"dtype":"F64","shape":[],"data_offsets":[8,16]},"b":{"dtype":"F32","shape":[],"data_offsets":[16,20]},` +
				`"a":{"dtype":"U8","shape":[],"data_offsets":[20,21]}} ` +
				"\x01\x00\x00\x00\x00\x00\x00\x00" + strings.Repeat("\x00", 12) + "\x09"},
		{"escaping", []safetensors.Tensor{{Name: "q\"b\\n\nt\tc\x01\x1fé<>&\u2028\x7f", DType: safetensors.Bool, Shape: []int{0}}},
			map[string]string{"k\b\f\r": "v/"},
			le64(120) + `{"__metadata__":{"k\b\f\r":"v/"},"q\"b\\n\nt\tc\u0001\u001fé<>&` + "\u2028\x7f" +
				`":{"dtype":"BOOL","shape":[0],"data_offsets":[0,0]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := write(t, tt.tensors, tt.metadata)
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("bytes (-want +got):\n%s", diff)
			}
			f, err := safetensors.Read(got)
			if err != nil {
				t.Fatal(err)
			}
			if again := write(t, f.Tensors, f.Metadata); !bytes.Equal(again, got) {
				t.Errorf("rewriting what was read gives other bytes:\n%q\n%q", again, got)
			}
		})
	}
}

// TestReadErrors: every malformed file is refused with an error saying
// what is wrong, and where.
func TestReadErrors(t *testing.T) {
	f32 := `{"dtype":"F32","shape":[1],"data_offsets":`
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"short", []byte{1, 2, 3}, "3 bytes, fewer than the 8"},
		{"huge header", []byte(le64(100_000_001) + "{}"), "header length 100000001 is above the limit"},
		{"header past the end", []byte(le64(100) + "{}"), "header length 100 runs past the end of the 10-byte file"},
		{"not UTF-8", raw("{\"\xff\":1}"), "header is not valid UTF-8"},
		{"not JSON", raw("nope"), "header: invalid character 'o'"},
		{"not an object", raw("[]"), "header: want {, got ["},
		{"truncated", raw(`{"a":`), `header: tensor "a": unexpected EOF`},
		{"trailing comma", raw(`{"__metadata__":{},}`), "header: invalid character '}'"},
		{"after the object", raw(`{} {}`), "header: 2 bytes after the JSON object"},
		{"duplicate tensor", raw(`{"a":`+f32+`[0,4]},"a":`+f32+`[4,8]}}`, make([]byte, 8)...), `header: key "a" appears twice`},
		{"duplicate metadata", raw(`{"__metadata__":{},"__metadata__":{}}`), `key "__metadata__" appears twice`},
		{"duplicate metadata key", raw(`{"__metadata__":{"k":"1","k":"2"}}`), `__metadata__: key "k" appears twice`},
		{"metadata number", raw(`{"__metadata__":{"k":1}}`), `__metadata__: "k": want a string, got 1`},
		{"metadata null", raw(`{"__metadata__":null}`), "__metadata__: want {, got null"},
		{"entry not an object", raw(`{"a":5}`), `tensor "a": want {, got 5`},
		{"unknown dtype", raw(`{"a":{"dtype":"F99","shape":[],"data_offsets":[0,0]}}`), `tensor "a": unknown dtype "F99"`},
		{"sub-byte dtype", raw(`{"a":{"dtype":"F4","shape":[2],"data_offsets":[0,1]}}`, 0), `tensor "a": unknown dtype "F4"`},
		{"dtype not a string", raw(`{"a":{"dtype":4,"shape":[],"data_offsets":[0,0]}}`), `tensor "a": dtype: want a string, got 4`},
		{"no shape", raw(`{"a":{"dtype":"F32","data_offsets":[0,4]}}`, 0, 0, 0, 0), `tensor "a": no shape`},
		{"no dtype", raw(`{"a":{"shape":[],"data_offsets":[0,4]}}`, 0, 0, 0, 0), `tensor "a": no dtype`},
		{"no offsets", raw(`{"a":{"dtype":"F32","shape":[]}}`), `tensor "a": no data_offsets`},
		{"unknown key", raw(`{"a":{"dtype":"F32","shape":[],"offsets":[0,4]}}`), `tensor "a": unknown key "offsets"`},
		{"repeated key", raw(`{"a":{"dtype":"F32","dtype":"F32","shape":[],"data_offsets":[0,4]}}`), `tensor "a": key "dtype" appears twice`},
		{"negative dimension", raw(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`), `tensor "a": shape: want a non-negative integer, got -1`},
		{"fractional offset", raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4.0]}}`), `tensor "a": data_offsets: want a non-negative integer, got 4.0`},
		{"string dimension", raw(`{"a":{"dtype":"F32","shape":["1"],"data_offsets":[0,4]}}`), `tensor "a": shape: want a non-negative integer, got "1"`},
		{"shape not an array", raw(`{"a":{"dtype":"F32","shape":1,"data_offsets":[0,4]}}`), `tensor "a": shape: want [, got 1`},
		{"three offsets", raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}`), `tensor "a": data_offsets has 3 numbers, want 2`},
		{"huge dimension", raw(`{"a":{"dtype":"F32","shape":[9223372036854775808],"data_offsets":[0,4]}}`), `tensor "a": shape dimension 9223372036854775808 is too large`},
		{"offsets backwards", raw(`{"a":`+f32+`[4,0]}}`, 0, 0, 0, 0), `tensor "a": data_offsets [4, 0] end before they begin`},
		{"offsets past the buffer", raw(`{"a":`+f32+`[0,4]}}`, 0, 0), `tensor "a": data_offsets [0, 4] run past the 2-byte buffer`},
		{"size mismatch", raw(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`, 0, 0, 0, 0), `tensor "a": shape [2] of F32 takes 8 bytes, data_offsets [0, 4] hold 4`},
		{"overflow", raw(`{"a":{"dtype":"I64","shape":[4294967296,4294967296],"data_offsets":[0,0]}}`), `tensor "a": shape [4294967296 4294967296] of I64 takes more than 2^64 bytes`},
		{"overlap", raw(`{"a":{"dtype":"F64","shape":[],"data_offsets":[0,8]},"b":{"dtype":"F64","shape":[],"data_offsets":[4,12]}}`, make([]byte, 12)...),
			`tensor "b": data_offsets [4, 12] overlap those of tensor "a", [0, 8]`},
		{"same range", raw(`{"b":`+f32+`[0,4]},"a":`+f32+`[0,4]}}`, 0, 0, 0, 0), `tensor "b": data_offsets [0, 4] overlap those of tensor "a", [0, 4]`},
		{"gap", raw(`{"a":`+f32+`[0,4]},"b":`+f32+`[8,12]}}`, make([]byte, 12)...), `tensor "b": data_offsets [8, 12] leave bytes [4, 8) of the buffer unused`},
		{"not from 0", raw(`{"a":`+f32+`[4,8]}}`, make([]byte, 8)...), `tensor "a": data_offsets [4, 8] leave bytes [0, 4) of the buffer unused`},
		{"trailing bytes", raw(`{"a":`+f32+`[0,4]}}`, make([]byte, 6)...), "the tensors cover 4 bytes of the 6-byte buffer"},
		{"bytes and no tensors", raw(`{}`, 1), "the tensors cover 0 bytes of the 1-byte buffer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := safetensors.Read(tt.data)
			if err == nil {
				t.Fatalf("Read accepted it: %+v", f)
			}
			if !errors.Is(err, safetensors.ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestReadAccepts what the format allows that Write never produces: keys
// in any order, whitespace, escapes, an unpadded header.
func TestReadAccepts(t *testing.T) {
	data := raw(" {\n \"b\" : {\"data_offsets\":[4, 8], \"shape\" : [ ], \"dtype\":\"F32\"},\t\"\\u0061\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}, \"__metadata__\":{\"x\\/y\":\"\"}}\r\n",
		0, 0, 128, 63, 0, 0, 0, 64)
	f, err := safetensors.Read(data)
	if err != nil {
		t.Fatal(err)
	}
	a, ok := f.Get("a")
	if !ok || f.Tensors[0].Name != "a" {
		t.Fatalf("tensors %+v, want a first (its data comes first)", f.Tensors)
	}
	if v, err := a.Float32s(); err != nil || !cmp.Equal(v, []float32{1}) {
		t.Errorf("a = %v, %v; want [1]", v, err)
	}
	if b, _ := f.Get("b"); !cmp.Equal(b.Shape, []int{}) {
		t.Errorf("b has shape %v, want []", b.Shape)
	}
	if diff := cmp.Diff(map[string]string{"x/y": ""}, f.Metadata); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

// TestWriteErrors: Write refuses what it cannot write correctly, before
// writing anything, and passes the writer's errors on.
func TestWriteErrors(t *testing.T) {
	ok := safetensors.F32("a", []int{1}, []float32{1})
	tests := []struct {
		name     string
		tensors  []safetensors.Tensor
		metadata map[string]string
		want     string
	}{
		{"duplicate", []safetensors.Tensor{ok, ok}, nil, `two tensors are called "a"`},
		{"metadata name", []safetensors.Tensor{safetensors.F32("__metadata__", nil, []float32{1})}, nil, `cannot be called "__metadata__"`},
		{"short data", []safetensors.Tensor{safetensors.F32("b", []int{2, 2}, []float32{1, 2, 3})}, nil, `tensor "b": shape [2 2] of F32 takes 16 bytes, data has 12`},
		{"unknown dtype", []safetensors.Tensor{{Name: "c", DType: "F4", Shape: []int{2}, Data: []byte{0}}}, nil, `tensor "c": unknown dtype "F4"`},
		{"negative dimension", []safetensors.Tensor{{Name: "d", DType: safetensors.Uint8, Shape: []int{-1}}}, nil, `tensor "d": shape [-1] has a negative dimension`},
		{"name not UTF-8", []safetensors.Tensor{safetensors.F32("\xff", nil, []float32{1})}, nil, "is not valid UTF-8"},
		{"metadata not UTF-8", []safetensors.Tensor{ok}, map[string]string{"k": "\xfe"}, "is not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			err := safetensors.Write(&b, tt.tensors, tt.metadata)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
			if b.Len() != 0 {
				t.Errorf("wrote %d bytes before failing", b.Len())
			}
		})
	}
	disk := errors.New("disk full")
	if err := safetensors.Write(failWriter{disk}, []safetensors.Tensor{ok}, nil); !errors.Is(err, disk) {
		t.Errorf("writer error %v does not wrap the writer's", err)
	}
}

// FuzzRead: Read never panics, refuses only with ErrInvalid, and what it
// accepts writes and reads back to the same tensors, the second writing
// giving the first's bytes.
func FuzzRead(f *testing.F) {
	f.Add(write(f, sample(), map[string]string{"format": "pt"}))
	f.Add(write(f, nil, nil))
	f.Add(write(f, []safetensors.Tensor{safetensors.I64("n", nil, []int64{3}), safetensors.F32("w", []int{2, 1}, []float32{1, 2})}, nil))
	f.Add(raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"__metadata__":{"k":"v"}}`, 0, 0, 128, 63))
	f.Add(raw(`{"a":{"dtype":"F64","shape":[],"data_offsets":[0,8]},"b":{"dtype":"F64","shape":[],"data_offsets":[4,12]}}`, make([]byte, 12)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := safetensors.Read(data)
		if err != nil {
			if !errors.Is(err, safetensors.ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		first := write(t, file.Tensors, file.Metadata)
		again, err := safetensors.Read(first)
		if err != nil {
			t.Fatalf("reading what Write wrote: %v", err)
		}
		for _, x := range file.Tensors {
			y, ok := again.Get(x.Name)
			if !ok || y.DType != x.DType || !cmp.Equal(y.Shape, x.Shape) || !bytes.Equal(y.Data, x.Data) {
				t.Fatalf("tensor %q changed: %+v, then %+v", x.Name, x, y)
			}
		}
		if len(again.Tensors) != len(file.Tensors) || !cmp.Equal(again.Metadata, file.Metadata) {
			t.Fatalf("read %d tensors and metadata %v, then %d and %v", len(file.Tensors), file.Metadata, len(again.Tensors), again.Metadata)
		}
		if second := write(t, again.Tensors, again.Metadata); !bytes.Equal(second, first) {
			t.Fatalf("writing twice gives different bytes")
		}
	})
}

// TestDataSHA256: the checksum a writer computes from its tensors is the
// sha256 of the buffer a reader finds, whatever the tensors' order, and a
// changed byte of data changes it.
func TestDataSHA256(t *testing.T) {
	in := sample()
	data := write(t, in, nil)
	f, err := safetensors.Read(data)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(data)
	sum := sha256.Sum256(data[8+n:])
	want := hex.EncodeToString(sum[:])
	rev := slices.Clone(in)
	slices.Reverse(rev)
	if got := []string{safetensors.DataSHA256(in), safetensors.DataSHA256(rev), f.DataSHA256()}; !slices.Equal(got, []string{want, want, want}) {
		t.Fatalf("checksums %v, want %s three times", got, want)
	}
	data[len(data)-1] ^= 1
	f, err = safetensors.Read(data)
	if err != nil {
		t.Fatal(err)
	}
	if f.DataSHA256() == want {
		t.Fatal("a flipped bit left the checksum as it was")
	}
}

package safetensors

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DType is an element type as the header spells it.
type DType string

// The element types of whole bytes the format defines. (The reference also
// has sub-byte ones, F4 and F6_*, which this package does not handle.)
const (
	Bool       DType = "BOOL"
	Uint8      DType = "U8"
	Int8       DType = "I8"
	Float8E5M2 DType = "F8_E5M2"
	Float8E4M3 DType = "F8_E4M3"
	Float8E8M0 DType = "F8_E8M0"
	Int16      DType = "I16"
	Uint16     DType = "U16"
	Float16    DType = "F16"
	BFloat16   DType = "BF16"
	Int32      DType = "I32"
	Uint32     DType = "U32"
	Float32    DType = "F32"
	Complex64  DType = "C64"
	Float64    DType = "F64"
	Int64      DType = "I64"
	Uint64     DType = "U64"
)

// dtypes lists the known types in the reference implementation's order, by
// increasing alignment, with their sizes in bytes. Write puts tensors of
// later types first.
var dtypes = []dtypeInfo{
	{Bool, 1}, {Uint8, 1}, {Int8, 1}, {Float8E5M2, 1}, {Float8E4M3, 1}, {Float8E8M0, 1},
	{Int16, 2}, {Uint16, 2}, {Float16, 2}, {BFloat16, 2},
	{Int32, 4}, {Uint32, 4}, {Float32, 4},
	{Complex64, 8}, {Float64, 8}, {Int64, 8}, {Uint64, 8},
}

// dtypeInfo is a known type and its size in bytes.
type dtypeInfo struct {
	t    DType
	size int
}

// rank is t's position in dtypes, -1 when t is not a known type.
func (t DType) rank() int {
	return slices.IndexFunc(dtypes, func(d dtypeInfo) bool { return d.t == t })
}

// Size is the number of bytes of one element, 0 when t is not a known type.
func (t DType) Size() int {
	if r := t.rank(); r >= 0 {
		return dtypes[r].size
	}
	return 0
}

// Tensor is one named tensor: its elements, little-endian and row-major, in
// Data.
type Tensor struct {
	Name  string
	DType DType
	Shape []int // empty for a scalar
	Data  []byte
}

// F32 returns a float32 tensor holding a copy of v.
func F32(name string, shape []int, v []float32) Tensor {
	data := make([]byte, 0, 4*len(v))
	for _, x := range v {
		data = binary.LittleEndian.AppendUint32(data, math.Float32bits(x))
	}
	return Tensor{Name: name, DType: Float32, Shape: slices.Clone(shape), Data: data}
}

// I64 returns an int64 tensor holding a copy of v.
func I64(name string, shape []int, v []int64) Tensor {
	data := make([]byte, 0, 8*len(v))
	for _, x := range v {
		data = binary.LittleEndian.AppendUint64(data, uint64(x))
	}
	return Tensor{Name: name, DType: Int64, Shape: slices.Clone(shape), Data: data}
}

// Float32s decodes the elements of an F32 tensor.
func (t Tensor) Float32s() ([]float32, error) {
	if err := t.want(Float32); err != nil {
		return nil, err
	}
	out := make([]float32, len(t.Data)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.Data[4*i:]))
	}
	return out, nil
}

// Int64s decodes the elements of an I64 tensor.
func (t Tensor) Int64s() ([]int64, error) {
	if err := t.want(Int64); err != nil {
		return nil, err
	}
	out := make([]int64, len(t.Data)/8)
	for i := range out {
		out[i] = int64(binary.LittleEndian.Uint64(t.Data[8*i:]))
	}
	return out, nil
}

// want checks that t is a consistent tensor of type d.
func (t Tensor) want(d DType) error {
	if t.DType != d {
		return fmt.Errorf("safetensors: tensor %q is %s, not %s", t.Name, t.DType, d)
	}
	if err := t.check(); err != nil {
		return fmt.Errorf("safetensors: tensor %q: %w", t.Name, err)
	}
	return nil
}

// check compares t's data length with its type and shape.
func (t Tensor) check() error {
	size := t.DType.Size()
	if size == 0 {
		return fmt.Errorf("unknown dtype %q", t.DType)
	}
	for _, d := range t.Shape {
		if d < 0 {
			return fmt.Errorf("shape %v has a negative dimension", t.Shape)
		}
	}
	dims := make([]uint64, len(t.Shape))
	for i, d := range t.Shape {
		dims[i] = uint64(d)
	}
	n, ok := byteSize(dims, size)
	if !ok || n != uint64(len(t.Data)) {
		return fmt.Errorf("shape %v of %s takes %s bytes, data has %d", t.Shape, t.DType, sizeString(n, ok), len(t.Data))
	}
	return nil
}

// byteSize is the product of dims times size, false on overflow. A zero
// dimension makes it 0 whatever the others.
func byteSize(dims []uint64, size int) (uint64, bool) {
	if slices.Contains(dims, 0) {
		return 0, true
	}
	n := uint64(size)
	for _, d := range dims {
		hi, lo := bits.Mul64(n, d)
		if hi != 0 {
			return 0, false
		}
		n = lo
	}
	return n, true
}

// sizeString prints a byteSize result.
func sizeString(n uint64, ok bool) string {
	if !ok {
		return "more than 2^64"
	}
	return strconv.FormatUint(n, 10)
}

// metadataKey is the header entry holding the free-form metadata.
const metadataKey = "__metadata__"

// maxHeader is the largest header accepted, the reference's limit.
const maxHeader = 100_000_000

// Write writes tensors and metadata (nil for none; an empty non-nil map
// writes an empty "__metadata__") as a safetensors file: the same bytes
// for the same tensors whatever their order in the slice, and the bytes the
// reference implementation writes (see the package documentation). Names
// must be distinct, valid UTF-8 and not "__metadata__", and every tensor's
// data must match its dtype and shape; nothing is written otherwise.
func Write(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	order := slices.Clone(tensors)
	seen := make(map[string]bool, len(order))
	for _, t := range order {
		switch {
		case t.Name == metadataKey:
			return fmt.Errorf("safetensors: a tensor cannot be called %q", metadataKey)
		case !utf8.ValidString(t.Name):
			return fmt.Errorf("safetensors: tensor name %q is not valid UTF-8", t.Name)
		case seen[t.Name]:
			return fmt.Errorf("safetensors: two tensors are called %q", t.Name)
		}
		seen[t.Name] = true
		if err := t.check(); err != nil {
			return fmt.Errorf("safetensors: tensor %q: %w", t.Name, err)
		}
	}
	for k, v := range metadata {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return fmt.Errorf("safetensors: metadata %q: %q is not valid UTF-8", k, v)
		}
	}
	sortForWrite(order)

	var h bytes.Buffer
	h.WriteByte('{')
	if metadata != nil {
		writeString(&h, metadataKey)
		h.WriteString(":{")
		keys := make([]string, 0, len(metadata))
		for k := range metadata {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				h.WriteByte(',')
			}
			writeString(&h, k)
			h.WriteByte(':')
			writeString(&h, metadata[k])
		}
		h.WriteByte('}')
	}
	var offset uint64
	for i, t := range order {
		if i > 0 || metadata != nil {
			h.WriteByte(',')
		}
		writeString(&h, t.Name)
		h.WriteString(`:{"dtype":`)
		writeString(&h, string(t.DType))
		h.WriteString(`,"shape":[`)
		for j, d := range t.Shape {
			if j > 0 {
				h.WriteByte(',')
			}
			h.WriteString(strconv.Itoa(d))
		}
		end := offset + uint64(len(t.Data))
		fmt.Fprintf(&h, `],"data_offsets":[%d,%d]}`, offset, end)
		offset = end
	}
	h.WriteByte('}')
	for h.Len()%8 != 0 {
		h.WriteByte(' ')
	}
	if h.Len() > maxHeader {
		return fmt.Errorf("safetensors: the header would take %d bytes, more than the limit of %d", h.Len(), maxHeader)
	}

	if _, err := w.Write(binary.LittleEndian.AppendUint64(nil, uint64(h.Len()))); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	if _, err := w.Write(h.Bytes()); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	for _, t := range order {
		if _, err := w.Write(t.Data); err != nil {
			return fmt.Errorf("safetensors: tensor %q: %w", t.Name, err)
		}
	}
	return nil
}

// sortForWrite puts tensors in the order of their data in the file.
func sortForWrite(tensors []Tensor) {
	slices.SortFunc(tensors, func(a, b Tensor) int {
		return cmp.Or(cmp.Compare(b.DType.rank(), a.DType.rank()), strings.Compare(a.Name, b.Name))
	})
}

// DataSHA256 is the hex sha256 of the buffer Write writes for tensors: with
// File.DataSHA256 it lets a writer record a checksum of its data in the
// metadata and a reader detect a changed byte.
func DataSHA256(tensors []Tensor) string {
	order := slices.Clone(tensors)
	sortForWrite(order)
	h := sha256.New()
	for _, t := range order {
		h.Write(t.Data)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// writeString writes s as a JSON string escaped as serde_json escapes it:
// the quote, the backslash and control characters only, \b \t \n \f \r by
// name and the others as lower-case \u00xx.
func writeString(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var esc string
		switch c {
		case '"':
			esc = `\"`
		case '\\':
			esc = `\\`
		case '\b':
			esc = `\b`
		case '\t':
			esc = `\t`
		case '\n':
			esc = `\n`
		case '\f':
			esc = `\f`
		case '\r':
			esc = `\r`
		default:
			if c >= 0x20 {
				continue
			}
			esc = `\u00` + string(hex[c>>4]) + string(hex[c&0xf])
		}
		b.WriteString(s[start:i])
		b.WriteString(esc)
		start = i + 1
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}

// ErrInvalid is wrapped by every error Read returns.
var ErrInvalid = errors.New("safetensors: invalid file")

// File is a read safetensors file.
type File struct {
	// Tensors in the order of their data in the file. Their Data share the
	// memory of the bytes read.
	Tensors []Tensor
	// Metadata is the "__metadata__" entry, nil when the file has none.
	Metadata map[string]string
}

// Get returns the tensor called name.
func (f *File) Get(name string) (Tensor, bool) {
	for _, t := range f.Tensors {
		if t.Name == name {
			return t, true
		}
	}
	return Tensor{}, false
}

// DataSHA256 is the hex sha256 of f's buffer, the bytes after the header.
func (f *File) DataSHA256() string {
	h := sha256.New()
	for _, t := range f.Tensors {
		h.Write(t.Data)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Read parses and checks a whole safetensors file held in data (see the
// package documentation for what is checked). The tensors' Data are slices
// of data, not copies.
func Read(data []byte) (*File, error) {
	f, err := read(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return f, nil
}

// entry is one tensor's header entry.
type entry struct {
	name       string
	dtype      DType
	shape      []int
	begin, end uint64
}

func read(data []byte) (*File, error) {
	if len(data) < 8 {
		return nil, fmt.Errorf("%d bytes, fewer than the 8 of the header length", len(data))
	}
	n := binary.LittleEndian.Uint64(data)
	if n > maxHeader {
		return nil, fmt.Errorf("header length %d is above the limit of %d bytes", n, maxHeader)
	}
	if n > uint64(len(data)-8) {
		return nil, fmt.Errorf("header length %d runs past the end of the %d-byte file", n, len(data))
	}
	header, buf := data[8:8+n], data[8+n:]
	if !utf8.Valid(header) {
		return nil, errors.New("header is not valid UTF-8")
	}
	entries, metadata, err := parseHeader(header)
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}

	for _, e := range entries {
		size := e.dtype.Size()
		if size == 0 {
			return nil, fmt.Errorf("tensor %q: unknown dtype %q", e.name, e.dtype)
		}
		if e.end < e.begin {
			return nil, fmt.Errorf("tensor %q: data_offsets [%d, %d] end before they begin", e.name, e.begin, e.end)
		}
		if e.end > uint64(len(buf)) {
			return nil, fmt.Errorf("tensor %q: data_offsets [%d, %d] run past the %d-byte buffer", e.name, e.begin, e.end, len(buf))
		}
		dims := make([]uint64, len(e.shape))
		for i, d := range e.shape {
			dims[i] = uint64(d)
		}
		if want, ok := byteSize(dims, size); !ok || want != e.end-e.begin {
			return nil, fmt.Errorf("tensor %q: shape %v of %s takes %s bytes, data_offsets [%d, %d] hold %d",
				e.name, e.shape, e.dtype, sizeString(want, ok), e.begin, e.end, e.end-e.begin)
		}
	}

	slices.SortFunc(entries, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.begin, b.begin), cmp.Compare(a.end, b.end), strings.Compare(a.name, b.name))
	})
	var covered uint64
	for i, e := range entries {
		if e.begin < covered {
			prev := entries[i-1]
			return nil, fmt.Errorf("tensor %q: data_offsets [%d, %d] overlap those of tensor %q, [%d, %d]",
				e.name, e.begin, e.end, prev.name, prev.begin, prev.end)
		}
		if e.begin > covered {
			return nil, fmt.Errorf("tensor %q: data_offsets [%d, %d] leave bytes [%d, %d) of the buffer unused",
				e.name, e.begin, e.end, covered, e.begin)
		}
		covered = e.end
	}
	if covered != uint64(len(buf)) {
		return nil, fmt.Errorf("the tensors cover %d bytes of the %d-byte buffer", covered, len(buf))
	}

	f := &File{Tensors: make([]Tensor, len(entries)), Metadata: metadata}
	for i, e := range entries {
		f.Tensors[i] = Tensor{Name: e.name, DType: e.dtype, Shape: e.shape, Data: buf[e.begin:e.end:e.end]}
	}
	return f, nil
}

// parseHeader decodes the header's JSON: the tensor entries in header
// order, and the metadata (nil when absent). It checks the syntax and the
// types; the values are checked by the caller.
func parseHeader(header []byte) ([]entry, map[string]string, error) {
	dec := json.NewDecoder(bytes.NewReader(header))
	dec.UseNumber()
	if err := expect(dec, json.Delim('{')); err != nil {
		return nil, nil, err
	}
	var (
		entries  []entry
		metadata map[string]string
		seen     = map[string]bool{}
	)
	for dec.More() {
		key, err := readKey(dec)
		if err != nil {
			return nil, nil, err
		}
		if seen[key] {
			return nil, nil, fmt.Errorf("key %q appears twice", key)
		}
		seen[key] = true
		if key == metadataKey {
			if metadata, err = readMetadata(dec); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", metadataKey, err)
			}
			continue
		}
		e, err := readEntry(dec)
		if err != nil {
			return nil, nil, fmt.Errorf("tensor %q: %w", key, err)
		}
		e.name = key
		entries = append(entries, e)
	}
	if err := expect(dec, json.Delim('}')); err != nil {
		return nil, nil, err
	}
	if rest := bytes.TrimLeft(header[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		return nil, nil, fmt.Errorf("%d bytes after the JSON object", len(rest))
	}
	return entries, metadata, nil
}

// readEntry reads {"dtype": ..., "shape": [...], "data_offsets": [b, e]},
// the keys in any order, each exactly once.
func readEntry(dec *json.Decoder) (entry, error) {
	var e entry
	if err := expect(dec, json.Delim('{')); err != nil {
		return e, err
	}
	var haveDtype, haveShape, haveOffsets bool
	for dec.More() {
		key, err := readKey(dec)
		if err != nil {
			return e, err
		}
		var dup bool
		switch key {
		case "dtype":
			dup, haveDtype = haveDtype, true
			var s string
			s, err = readString(dec)
			e.dtype = DType(s)
		case "shape":
			dup, haveShape = haveShape, true
			var dims []uint64
			if dims, err = readUints(dec); err == nil {
				e.shape = make([]int, len(dims))
				for i, d := range dims {
					if d > math.MaxInt {
						return e, fmt.Errorf("shape dimension %d is too large", d)
					}
					e.shape[i] = int(d)
				}
			}
		case "data_offsets":
			dup, haveOffsets = haveOffsets, true
			var offs []uint64
			if offs, err = readUints(dec); err == nil {
				if len(offs) != 2 {
					return e, fmt.Errorf("data_offsets has %d numbers, want 2", len(offs))
				}
				e.begin, e.end = offs[0], offs[1]
			}
		default:
			return e, fmt.Errorf("unknown key %q", key)
		}
		if dup {
			return e, fmt.Errorf("key %q appears twice", key)
		}
		if err != nil {
			return e, fmt.Errorf("%s: %w", key, err)
		}
	}
	if err := expect(dec, json.Delim('}')); err != nil {
		return e, err
	}
	switch {
	case !haveDtype:
		return e, errors.New("no dtype")
	case !haveShape:
		return e, errors.New("no shape")
	case !haveOffsets:
		return e, errors.New("no data_offsets")
	}
	return e, nil
}

// readMetadata reads an object of strings.
func readMetadata(dec *json.Decoder) (map[string]string, error) {
	if err := expect(dec, json.Delim('{')); err != nil {
		return nil, err
	}
	m := map[string]string{}
	for dec.More() {
		key, err := readKey(dec)
		if err != nil {
			return nil, err
		}
		if _, dup := m[key]; dup {
			return nil, fmt.Errorf("key %q appears twice", key)
		}
		if m[key], err = readString(dec); err != nil {
			return nil, fmt.Errorf("%q: %w", key, err)
		}
	}
	if err := expect(dec, json.Delim('}')); err != nil {
		return nil, err
	}
	return m, nil
}

// readUints reads an array of non-negative integers.
func readUints(dec *json.Decoder) ([]uint64, error) {
	if err := expect(dec, json.Delim('[')); err != nil {
		return nil, err
	}
	var out []uint64
	for dec.More() {
		tok, err := token(dec)
		if err != nil {
			return nil, err
		}
		num, ok := tok.(json.Number)
		if !ok {
			return nil, fmt.Errorf("want a non-negative integer, got %s", describe(tok))
		}
		v, err := strconv.ParseUint(string(num), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("want a non-negative integer, got %s", num)
		}
		out = append(out, v)
	}
	if err := expect(dec, json.Delim(']')); err != nil {
		return nil, err
	}
	return out, nil
}

// readKey reads an object key.
func readKey(dec *json.Decoder) (string, error) {
	tok, err := token(dec)
	if err != nil {
		return "", err
	}
	key, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("want a key, got %s", describe(tok))
	}
	return key, nil
}

// readString reads a string value.
func readString(dec *json.Decoder) (string, error) {
	tok, err := token(dec)
	if err != nil {
		return "", err
	}
	s, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("want a string, got %s", describe(tok))
	}
	return s, nil
}

// expect reads the delimiter want.
func expect(dec *json.Decoder, want json.Delim) error {
	tok, err := token(dec)
	if err != nil {
		return err
	}
	if tok != want {
		return fmt.Errorf("want %v, got %s", want, describe(tok))
	}
	return nil
}

// token reads the next token; the header ending early is
// io.ErrUnexpectedEOF.
func token(dec *json.Decoder) (json.Token, error) {
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return nil, io.ErrUnexpectedEOF
	}
	return tok, err
}

// describe names a JSON token for an error message.
func describe(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		return string(v)
	case string:
		return strconv.Quote(v)
	case nil:
		return "null"
	default:
		return fmt.Sprint(v)
	}
}

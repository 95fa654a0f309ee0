package dataset

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// idxArray is a decoded IDX array of unsigned bytes (the format of MNIST
// and its relatives): data holds the product of dims bytes, row-major.
type idxArray struct {
	dims []int
	data []uint8
}

// maxIDXBytes bounds the size an IDX header may announce (1 TiB).
const maxIDXBytes = 1 << 40

// idxTypes names the IDX element types, by type byte.
var idxTypes = map[byte]string{
	0x08: "unsigned byte",
	0x09: "signed byte",
	0x0B: "int16",
	0x0C: "int32",
	0x0D: "float32",
	0x0E: "float64",
}

// decodeIDX decodes an IDX array from r, raw or gzip-compressed (told apart
// by the gzip magic bytes). The header is 0x00 0x00, the type byte, the
// number of dimensions, then each dimension as a big-endian uint32; only
// unsigned bytes (type 0x08) are supported. The data must be exactly as
// long as the header says. Memory grows with the data actually read, so a
// short input whose header claims billions of items allocates little.
func decodeIDX(r io.Reader) (*idxArray, error) {
	in, done, err := idxStream(r)
	if err != nil {
		return nil, err
	}
	defer done()
	dims, err := readIDXHeader(in)
	if err != nil {
		return nil, err
	}
	a := &idxArray{dims: dims}
	total, zero := int64(1), false
	for i, d := range dims {
		if d == 0 {
			zero = true
		} else if !zero {
			if total > maxIDXBytes/int64(d) {
				return nil, fmt.Errorf("IDX dimensions %s announce more than %d bytes", dimString(dims[:i+1]), maxIDXBytes)
			}
			total *= int64(d)
		}
	}
	if zero {
		total = 0
	}
	data, err := io.ReadAll(io.LimitReader(in, total+1))
	if err != nil {
		return nil, fmt.Errorf("reading the IDX data: %w", err)
	}
	switch {
	case int64(len(data)) < total:
		return nil, fmt.Errorf("truncated IDX data: dimensions %s need %d bytes, found %d", dimString(a.dims), total, len(data))
	case int64(len(data)) > total:
		return nil, fmt.Errorf("IDX data is longer than the %d bytes its dimensions %s need", total, dimString(a.dims))
	}
	a.data = data
	return a, nil
}

// idxStream returns the uncompressed bytes of r, gunzipped when they start
// with the gzip magic bytes; done releases the decompressor.
func idxStream(r io.Reader) (in io.Reader, done func(), err error) {
	br := bufio.NewReader(r)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("gzip: %w", err)
		}
		return zr, func() { zr.Close() }, nil
	}
	return br, func() {}, nil
}

// readIDXHeader reads an IDX header from the uncompressed stream in and
// returns its dimensions.
func readIDXHeader(in io.Reader) ([]int, error) {
	var head [4]byte
	if _, err := io.ReadFull(in, head[:]); err != nil {
		return nil, fmt.Errorf("reading the IDX header: %w", err)
	}
	if head[0] != 0 || head[1] != 0 {
		return nil, fmt.Errorf("not an IDX file: it starts with 0x%02x 0x%02x, want 0x00 0x00", head[0], head[1])
	}
	if head[2] != 0x08 {
		name, ok := idxTypes[head[2]]
		if !ok {
			name = "unknown"
		}
		return nil, fmt.Errorf("IDX element type 0x%02x (%s) is not supported: only unsigned bytes (0x08) are", head[2], name)
	}
	if head[3] == 0 {
		return nil, fmt.Errorf("IDX header declares 0 dimensions")
	}
	raw := make([]byte, 4*int(head[3]))
	if _, err := io.ReadFull(in, raw); err != nil {
		return nil, fmt.Errorf("reading the IDX dimensions: %w", err)
	}
	dims := make([]int, head[3])
	for i := range dims {
		dims[i] = int(binary.BigEndian.Uint32(raw[4*i:]))
	}
	return dims, nil
}

// dimString renders dims as "60000x28x28".
func dimString(dims []int) string {
	s := make([]string, len(dims))
	for i, d := range dims {
		s[i] = strconv.Itoa(d)
	}
	return strings.Join(s, "x")
}

// readIDXFile decodes the IDX file called name, whose array must have
// ndims dimensions (what describes them); errors name the file.
func readIDXFile(name string, ndims int, what string) (*idxArray, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	a, err := decodeIDX(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := checkIDXDims(name, a.dims, ndims, what); err != nil {
		return nil, err
	}
	return a, nil
}

// readIDXDims reads only the header of the IDX file called name and returns
// its dimensions, of which there must be ndims (what describes them).
func readIDXDims(name string, ndims int, what string) ([]int, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	in, done, err := idxStream(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer done()
	dims, err := readIDXHeader(in)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := checkIDXDims(name, dims, ndims, what); err != nil {
		return nil, err
	}
	return dims, nil
}

// checkIDXDims requires the array of IDX file name to have ndims
// dimensions (what describes them).
func checkIDXDims(name string, dims []int, ndims int, what string) error {
	if len(dims) != ndims {
		return fmt.Errorf("%s: IDX array is %s, want %s", name, dimString(dims), what)
	}
	return nil
}

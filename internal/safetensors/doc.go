// Package safetensors reads and writes Hugging Face's safetensors format,
// the weights format PyTorch, torchvision and the Hugging Face libraries load
// without unpickling anything.
//
// A file is
//
//	N        8 bytes, a little-endian uint64: the header's length
//	header   N bytes of UTF-8 JSON: {"__metadata__": {string: string},
//	         "<name>": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...}
//	buffer   the rest: every tensor's little-endian, row-major bytes, at
//	         [begin, end) of the buffer
//
// The "__metadata__" entry is optional. A scalar has shape [], an empty
// tensor a zero dimension and begin == end.
//
// Write produces the bytes the reference implementation (the Rust
// safetensors crate behind the Python package) produces for the same
// tensors: tensors ordered by descending element alignment (the reference's
// dtype order, so 8-byte types such as I64 come before F32) and then by
// name, the header in that order with "__metadata__" first and each entry's
// keys as dtype, shape, data_offsets, compact JSON escaped as serde_json
// does, padded with spaces to a multiple of 8 bytes so that every tensor
// starts aligned. The one freedom the reference leaves, the order of the
// metadata keys (a hash map there), is fixed here by sorting them.
//
// Read checks a file completely before returning anything: the header
// length against the file and a 100 MB cap (the reference's), the JSON
// (valid UTF-8, one object, no duplicate or unknown keys, nothing after it
// but whitespace), each tensor's dtype, shape and offsets (the shape times
// the element size must equal the byte range), and the ranges together: in
// the buffer, neither overlapping nor leaving gaps, covering all of it.
// Errors name the tensor at fault and wrap ErrInvalid.
package safetensors

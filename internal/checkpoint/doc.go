// Package checkpoint is the checkpoint format: a safetensors file holding
// the parameters, batch-norm statistics, optimizer state and the
// objective's state, with the position in the data, the run's
// configuration hash and a sha256 of the tensor data as metadata. Read
// refuses a file whose data does not match its checksum or whose tensors
// do not fit the model.
package checkpoint

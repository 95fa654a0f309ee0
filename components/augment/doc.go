// Package augment holds the augment components: the image transformations
// that a view block of a spec chains to make the views a self-supervised
// objective compares.
//
// # Transforms
//
// Each component builds a Transform. Apply takes a float32 image in planar
// (C, H, W) layout with values nominally in [0, 1] and a *rand.Rand from
// which it draws every random choice, so a generator in the same state gives
// the same output. Apply may modify src and return it (the colour and
// filter transforms work in place); transforms that change the size return
// a new image. Apply cannot fail: a transform that accepts only some channel
// counts also implements Checker, which the pipeline builder calls with the
// data set's channel count first, and Apply never panics on other counts.
// A transform that can be undone (normalize) implements Inverter so views
// can be shown as pictures. Transforms hold no mutable state and may be
// shared between goroutines; their work buffers come from sync.Pools, and
// filters are separable with weights precomputed once per call, so the hot
// path allocates only the images whose size changes.
//
// # Semantics
//
// The components follow torchvision 0.14 on float tensors:
//
//	augment.random_resized_crop  RandomResizedCrop(size, scale, ratio, antialias=True)
//	augment.center_crop          CenterCrop(size), zero padding when the image is smaller
//	augment.resize               Resize(size) (shorter edge), antialias=True
//	augment.horizontal_flip      RandomHorizontalFlip(p)
//	augment.color_jitter         RandomApply([ColorJitter(b, c, s, h)], p)
//	augment.grayscale            RandomGrayscale(p), output keeps the channel count
//	augment.gaussian_blur        RandomApply([GaussianBlur(k, sigma)], p)
//	augment.solarize             RandomSolarize(threshold, p)
//	augment.equalize             RandomEqualize(p) on the uint8 conversion of the image
//	augment.normalize            Normalize(mean, std)
//
// Resizing is torchvision's antialiased bilinear filter (the same as PIL's
// bilinear resize): a triangle filter whose support widens by the scale
// factor when downsampling, with align_corners=False. Colour operations
// compute in float32 with torchvision's formulas (luma 0.2989 R + 0.587 G +
// 0.114 B, its RGB/HSV conversions and its blend-and-clamp), and like
// torchvision they expect values in [0, 1]: the hue of negative values, for
// example, is not defined. testdata/golden.json and golden.bin hold
// torchvision's outputs for fixed parameters, written by
// testdata/make_golden.py, and golden_test.go checks every transform
// against them.
//
// Where torchvision would raise, these transforms choose instead:
// gaussian_blur's kernel_size = 0 picks 2*ceil(3*sigma)+1 for each drawn
// sigma, and the kernel side along an axis is capped at 2*side-1 so the
// reflect padding fits; random_resized_crop's fallback box is at least one
// pixel on each side; equalize saturates values outside [0, 1] when it
// converts to uint8; colour jitter and grayscale leave saturation, hue and
// gray conversion to RGB images (contrast then uses the mean of all values);
// normalize uses the last mean and std for channels past a list's end
// (CheckChannels reports such lists).
//
// # Adding a component
//
// A component is one file that registers itself in init() with
// registry.Register: ID "augment.<type>", a one-line Doc, the parameter
// schema (types, defaults, ranges and orderings are checked by the
// registry) and a constructor that is cheap and pure and returns a
// *registry.ParamError for problems between parameters. Keep the work with
// fixed parameters in a plain function (resizedCrop, adjustHue,
// gaussianBlur, ...) that tests drive directly, and let Apply only draw the
// parameters and call it. Implement Shaper so the memory estimate need not
// run it on a probe image. The file alone passes the tests (those that
// enumerate components read the registry); for a built-in, add golden
// cases to testdata/make_golden.py and regenerate, and list it in the
// tables of schema_test.go (required values, defaults), random_test.go and
// shape_test.go.
package augment

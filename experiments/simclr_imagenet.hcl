# SimCLR on ImageNet-1k with a ResNet-50, the official recipe
# (google-research/simclr; values in the shared notes' anchors.md):
#   views        2 x 224, crop scale (0.08, 1), ratio (3/4, 4/3), colour
#                jitter strength 1 (0.8/0.8/0.8/0.2) with p 0.8, grayscale
#                p 0.2, blur p 0.5 with a kernel of 10% of the side (23) and
#                sigma (0.1, 2), flip; ImageNet mean and std (torchvision's
#                convention; the official code feeds [0, 1] values)
#   projection   3 layers, 2048 -> 2048 -> 2048 -> 128; NT-Xent at 0.1
#   optimizer    LARS, lr 0.3 x batch/256, weight decay 1e-6, biases and
#                batch norm excluded, momentum 0.9 (eta 1e-3 as official)
#   schedule     10 warmup epochs, then cosine to 0; batch 4096
# Expected: 69.3% linear top-1 after 1000 epochs (official); 63.2% after 100
# epochs at batch 256 (lightly's benchmark). Needs the data and far more
# compute than a CPU: `sslrun validate --no-data` checks it anywhere.
#
#   go run ./cmd/sslrun run experiments/simclr_imagenet.hcl --var data_dir=/path/to/imagenet
variable "data_dir" {
  default     = "/data/imagenet"
  description = "ImageNet-1k as train/<wnid>/*.JPEG and val/<wnid>/*.JPEG"
}
variable "seed" { default = 0 }
variable "epochs" { default = 1000 }
variable "batch_size" { default = 4096 }

experiment "simclr_imagenet" {
  seed        = var.seed
  description = "SimCLR, ResNet-50, ImageNet-1k (official recipe)"
}

# Images of every size, decoded when used (1.28 million do not fit in memory).
dataset "image_folder" "train" {
  path    = "${var.data_dir}/train"
  preload = false
}
dataset "image_folder" "test" {
  path    = "${var.data_dir}/val"
  preload = false
}

view "global" {
  count = 2
  augment "random_resized_crop" {
    size  = 224
    scale = [0.08, 1.0]
  }
  augment "color_jitter" {
    p          = 0.8
    brightness = 0.8
    contrast   = 0.8
    saturation = 0.8
    hue        = 0.2
  }
  augment "grayscale" { p = 0.2 }
  augment "gaussian_blur" {
    p           = 0.5
    sigma       = [0.1, 2.0]
    kernel_size = 23
  }
  augment "horizontal_flip" { p = 0.5 }
  augment "normalize" {
    mean = [0.485, 0.456, 0.406]
    std  = [0.229, 0.224, 0.225]
  }
}

backbone "resnet50" { stem = "imagenet" }
head "projection_mlp" "proj" {
  layers     = 3
  hidden_dim = 2048
  output_dim = 128
}
objective "nt_xent" { temperature = 0.1 }
optimizer "lars" {
  lr           = 0.3
  momentum     = 0.9
  weight_decay = 1e-6
  eta          = 0.001
}
schedule "warmup_cosine" { warmup_epochs = 10 }

train {
  epochs           = var.epochs
  batch_size       = var.batch_size
  checkpoint_every = "1000 steps"
  log_every        = 50
}

evaluate "linear" {}
evaluate "knn" {
  k           = 200
  temperature = 0.1
}

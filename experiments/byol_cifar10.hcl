# BYOL on CIFAR-10 with a ResNet-18 (CIFAR stem: 3x3 conv, stride 1, no
# max-pool), solo-learn's recipe (vturrisi/solo-learn
# scripts/pretrain/cifar/byol.yaml with augmentations/asymmetric.yaml, and
# solo/methods/byol.py for what the yaml leaves to defaults):
#   views        two different pipelines, one view each: 32 x 32, crop scale
#                (0.08, 1), colour jitter 0.4/0.4/0.2/0.1 with p 0.8,
#                grayscale p 0.2, flip; the second view also solarized with
#                p 0.2 (PIL's ImageOps.solarize: 8-bit values >= 128); no blur
#   projector    512 -> 4096 (BN, ReLU) -> 256
#   predictor    256 -> 4096 (BN, ReLU) -> 256, online only
#   teacher      a copy of the backbone and projector, a moving average of
#                the online ones with momentum 0.99 rising to 1.0 on a cosine
#   objective    BYOL: 2 - 2 cos(prediction, teacher's projection of the
#                other view), both ways
#   optimizer    LARS, lr 1.0 x batch/256, eta 0.02, clipping, weight decay
#                1e-5, biases and batch norm excluded; momentum 0.9
#   schedule     10 warmup epochs from 3e-5, then cosine to 0; 1000 epochs,
#                batch 256
# Expected: 92.58% linear top-1 (99.79% top-5) after 1000 epochs
# (solo-learn's README table, CIFAR-10).
# Not reproduced: solo-learn crops with bicubic interpolation (here
# antialiased bilinear) and jitters 8-bit PIL images (here float32); it
# forwards each view through the network alone, so its batch norms see the
# 256 rows of one view, while here views of one size go through together
# (512 rows); it trains in 16-bit mixed precision (here float32) and an
# online linear classifier beside the network; here evaluate "linear"
# probes the frozen features after training instead. The XLA engine does
# not run a teacher yet: --engine cpu.
#
#   go run ./cmd/sslrun run experiments/byol_cifar10.hcl --var data_dir=/path/to/cifar10

variable "data_dir" {
  default     = "../../shared/datasets/cifar10"
  description = "CIFAR-10 as train/<class>/*.jpg and test/<class>/*.jpg"
}
variable "seed" { default = 0 }
variable "epochs" { default = 1000 }
variable "batch_size" { default = 256 }

experiment "byol_cifar10" {
  seed        = var.seed
  description = "BYOL, ResNet-18 with CIFAR stem (solo-learn recipe)"
}

dataset "image_folder" "train" {
  path       = "${var.data_dir}/train"
  image_size = 32
}
dataset "image_folder" "test" {
  path       = "${var.data_dir}/test"
  image_size = 32
}

# asymmetric.yaml: the two views differ only in solarization (p 0 and 0.2),
# in solo-learn's order: crop, jitter, grayscale, solarize, flip, normalize.
view "first" {
  count = 1
  augment "random_resized_crop" {
    size  = 32
    scale = [0.08, 1.0]
  }
  augment "color_jitter" {
    p          = 0.8
    brightness = 0.4
    contrast   = 0.4
    saturation = 0.2
    hue        = 0.1
  }
  augment "grayscale" { p = 0.2 }
  augment "horizontal_flip" { p = 0.5 }
  augment "normalize" {
    mean = [0.4914, 0.4822, 0.4465]
    std  = [0.2470, 0.2435, 0.2616]
  }
}
view "second" {
  count = 1
  augment "random_resized_crop" {
    size  = 32
    scale = [0.08, 1.0]
  }
  augment "color_jitter" {
    p          = 0.8
    brightness = 0.4
    contrast   = 0.4
    saturation = 0.2
    hue        = 0.1
  }
  augment "grayscale" { p = 0.2 }
  augment "solarize" {
    p         = 0.2
    threshold = 128 / 255
  }
  augment "horizontal_flip" { p = 0.5 }
  augment "normalize" {
    mean = [0.4914, 0.4822, 0.4465]
    std  = [0.2470, 0.2435, 0.2616]
  }
}

backbone "resnet18" { stem = "cifar" }
head "projection_mlp" "proj" {
  hidden_dim = 4096
  output_dim = 256
}
# The last head is the predictor, which the teacher does not copy.
head "projection_mlp" "pred" {
  hidden_dim = 4096
  output_dim = 256
}
objective "byol" {
  momentum       = 0.99
  final_momentum = 1.0
}
optimizer "lars" {
  lr           = 1.0
  momentum     = 0.9
  weight_decay = 1e-5
  eta          = 0.02
}
schedule "warmup_cosine" { warmup_epochs = 10 }

train {
  epochs     = var.epochs
  batch_size = var.batch_size
}

evaluate "linear" { baseline = true }

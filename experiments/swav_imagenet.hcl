# SwAV on ImageNet-1k with a ResNet-50 and multi-crop, the official recipe
# for batch 256 (facebookresearch/swav scripts/swav_800ep_bs256_pretrain.sh;
# values in the shared notes' anchors.md):
#   views        2 x 224, scale (0.14, 1) + 6 x 96, scale (0.05, 0.14); colour
#                jitter strength 1 with p 0.8, grayscale p 0.2, blur p 0.5
#                sigma (0.1, 2), flip; ImageNet mean and std
#   projection   2048 -> 2048 (BN, ReLU) -> 128, then 3000 prototypes
#   objective    temperature 0.1, Sinkhorn epsilon 0.05 with 3 iterations,
#                codes from the two large crops; a queue of 3840 embeddings
#                from epoch 15; prototypes frozen for 5005 iterations
#   optimizer    SGD with LARC (trust coefficient 0.001, clipping, on every
#                parameter) = lars with eta 0.001 and nothing excluded; lr 0.6,
#                weight decay 1e-6, momentum 0.9
#   schedule     no warmup at batch 256, cosine from 0.6 to 0.0006; 800 epochs
# Expected: 75.3% linear top-1 (official, 800 epochs, multi-crop). Needs the
# data and far more compute than a CPU: `sslrun validate --no-data` checks it
# anywhere.
#
#   go run ./cmd/sslrun run experiments/swav_imagenet.hcl --var data_dir=/path/to/imagenet
variable "data_dir" {
  default     = "/data/imagenet"
  description = "ImageNet-1k as train/<wnid>/*.JPEG and val/<wnid>/*.JPEG"
}
variable "seed" { default = 0 }
variable "epochs" { default = 800 }
variable "batch_size" { default = 256 }

experiment "swav_imagenet" {
  seed        = var.seed
  description = "SwAV, ResNet-50, ImageNet-1k, 2x224 + 6x96 crops (official recipe)"
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
    scale = [0.14, 1.0]
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
    p     = 0.5
    sigma = [0.1, 2.0]
  }
  augment "horizontal_flip" { p = 0.5 }
  augment "normalize" {
    mean = [0.485, 0.456, 0.406]
    std  = [0.229, 0.224, 0.225]
  }
}
view "local" {
  count = 6
  augment "random_resized_crop" {
    size  = 96
    scale = [0.05, 0.14]
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
    p     = 0.5
    sigma = [0.1, 2.0]
  }
  augment "horizontal_flip" { p = 0.5 }
  augment "normalize" {
    mean = [0.485, 0.456, 0.406]
    std  = [0.229, 0.224, 0.225]
  }
}

backbone "resnet50" { stem = "imagenet" }
head "projection_mlp" "proj" {
  hidden_dim = 2048
  output_dim = 128
}
head "prototypes" "prototypes" {
  count        = 3000
  freeze_steps = 5005
}
objective "swav" {
  temperature         = 0.1
  epsilon             = 0.05
  sinkhorn_iterations = 3
  crops_for_assign    = [0, 1]
  queue_length        = 3840
  queue_start_epoch   = 15
}
optimizer "lars" {
  lr                    = 0.6
  momentum              = 0.9
  weight_decay          = 1e-6
  eta                   = 0.001
  exclude_bias_and_norm = false
}
schedule "warmup_cosine" {
  warmup_epochs = 0
  final_lr      = 0.0006
}

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

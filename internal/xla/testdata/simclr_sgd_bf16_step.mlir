module @simclr_sgd_bf16_step {
  func.func @main(%view0: tensor<2x3x8x8xf32>, %view1: tensor<2x3x8x8xf32>, %lr: tensor<f64>, %conv0_weight: tensor<4x3x3x3xf32> { tf.aliasing_output = 1 : i32 }, %bn0_weight: tensor<4xf32> { tf.aliasing_output = 2 : i32 }, %bn0_bias: tensor<4xf32> { tf.aliasing_output = 3 : i32 }, %proj_0_weight: tensor<8x4xf32> { tf.aliasing_output = 4 : i32 }, %proj_0_bias: tensor<8xf32> { tf.aliasing_output = 5 : i32 }, %proj_1_weight: tensor<8xf32> { tf.aliasing_output = 6 : i32 }, %proj_1_bias: tensor<8xf32> { tf.aliasing_output = 7 : i32 }, %proj_3_weight: tensor<4x8xf32> { tf.aliasing_output = 8 : i32 }, %proj_3_bias: tensor<4xf32> { tf.aliasing_output = 9 : i32 }, %momentum_conv0_weight: tensor<4x3x3x3xf32> { tf.aliasing_output = 10 : i32 }, %momentum_bn0_weight: tensor<4xf32> { tf.aliasing_output = 11 : i32 }, %momentum_bn0_bias: tensor<4xf32> { tf.aliasing_output = 12 : i32 }, %momentum_proj_0_weight: tensor<8x4xf32> { tf.aliasing_output = 13 : i32 }, %momentum_proj_0_bias: tensor<8xf32> { tf.aliasing_output = 14 : i32 }, %momentum_proj_1_weight: tensor<8xf32> { tf.aliasing_output = 15 : i32 }, %momentum_proj_1_bias: tensor<8xf32> { tf.aliasing_output = 16 : i32 }, %momentum_proj_3_weight: tensor<4x8xf32> { tf.aliasing_output = 17 : i32 }, %momentum_proj_3_bias: tensor<4xf32> { tf.aliasing_output = 18 : i32 }, %batchnorm0_mean: tensor<4xf32> { tf.aliasing_output = 19 : i32 }, %batchnorm0_var: tensor<4xf32> { tf.aliasing_output = 20 : i32 }, %batchnorm0_tracked: tensor<i64> { tf.aliasing_output = 21 : i32 }, %batchnorm1_mean: tensor<8xf32> { tf.aliasing_output = 22 : i32 }, %batchnorm1_var: tensor<8xf32> { tf.aliasing_output = 23 : i32 }, %batchnorm1_tracked: tensor<i64> { tf.aliasing_output = 24 : i32 }) -> (tensor<f32>, tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<8x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<8x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<i64>, tensor<8xf32>, tensor<8xf32>, tensor<i64>) {
    %0 = "stablehlo.concatenate"(%view0, %view1) { dimension = 0 : i64 } : (tensor<2x3x8x8xf32>, tensor<2x3x8x8xf32>) -> tensor<4x3x8x8xf32>
    %1 = "stablehlo.convert"(%0) : (tensor<4x3x8x8xf32>) -> tensor<4x3x8x8xbf16>
    %2 = "stablehlo.convert"(%conv0_weight) : (tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xbf16>
    %3 = "stablehlo.convolution"(%1, %2) {
      batch_group_count = 1 : i64,
      dimension_numbers = #stablehlo.conv<[b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1]>,
      feature_group_count = 1 : i64,
      lhs_dilation = array<i64: 1, 1>,
      padding = dense<[[1, 1], [1, 1]]> : tensor<2x2xi64>,
      precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>],
      rhs_dilation = array<i64: 1, 1>,
      window_reversal = array<i1: false, false>,
      window_strides = array<i64: 1, 1>
    } : (tensor<4x3x8x8xbf16>, tensor<4x3x3x3xbf16>) -> tensor<4x4x8x8xbf16>
    %4 = "stablehlo.convert"(%3) : (tensor<4x4x8x8xbf16>) -> tensor<4x4x8x8xf32>
    %5 = "stablehlo.slice"(%4) {
      limit_indices = array<i64: 1, 4, 1, 1>,
      start_indices = array<i64: 0, 0, 0, 0>,
      strides = array<i64: 1, 1, 1, 1>
    } : (tensor<4x4x8x8xf32>) -> tensor<1x4x1x1xf32>
    %6 = "stablehlo.reshape"(%5) : (tensor<1x4x1x1xf32>) -> tensor<4xf32>
    %7 = "stablehlo.constant"() { value = dense<256.0> : tensor<f64> } : () -> tensor<f64>
    %8 = "stablehlo.broadcast_in_dim"(%7) { broadcast_dimensions = array<i64> } : (tensor<f64>) -> tensor<4xf64>
    %9 = "stablehlo.convert"(%4) : (tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf64>
    %10 = "stablehlo.convert"(%6) : (tensor<4xf32>) -> tensor<4xf64>
    %11 = "stablehlo.broadcast_in_dim"(%10) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf64>) -> tensor<4x4x8x8xf64>
    %12 = "stablehlo.subtract"(%9, %11) : (tensor<4x4x8x8xf64>, tensor<4x4x8x8xf64>) -> tensor<4x4x8x8xf64>
    %14 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %15 = "stablehlo.reduce"(%12, %14) ({
      ^reductionFn(%arg0: tensor<f64>, %arg1: tensor<f64>) :
          %13 = "stablehlo.add"(%arg0, %arg1) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%13) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0, 2, 3> } : (tensor<4x4x8x8xf64>, tensor<f64>) -> tensor<4xf64>
    %16 = "stablehlo.divide"(%15, %8) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
    %17 = "stablehlo.convert"(%4) : (tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf64>
    %18 = "stablehlo.convert"(%6) : (tensor<4xf32>) -> tensor<4xf64>
    %19 = "stablehlo.broadcast_in_dim"(%18) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf64>) -> tensor<4x4x8x8xf64>
    %20 = "stablehlo.subtract"(%17, %19) : (tensor<4x4x8x8xf64>, tensor<4x4x8x8xf64>) -> tensor<4x4x8x8xf64>
    %21 = "stablehlo.broadcast_in_dim"(%16) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf64>) -> tensor<4x4x8x8xf64>
    %22 = "stablehlo.subtract"(%20, %21) : (tensor<4x4x8x8xf64>, tensor<4x4x8x8xf64>) -> tensor<4x4x8x8xf64>
    %23 = "stablehlo.multiply"(%22, %22) : (tensor<4x4x8x8xf64>, tensor<4x4x8x8xf64>) -> tensor<4x4x8x8xf64>
    %25 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %26 = "stablehlo.reduce"(%23, %25) ({
      ^reductionFn(%arg2: tensor<f64>, %arg3: tensor<f64>) :
          %24 = "stablehlo.add"(%arg2, %arg3) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%24) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0, 2, 3> } : (tensor<4x4x8x8xf64>, tensor<f64>) -> tensor<4xf64>
    %27 = "stablehlo.divide"(%26, %8) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
    %28 = "stablehlo.constant"() { value = dense<1.0> : tensor<f64> } : () -> tensor<f64>
    %29 = "stablehlo.broadcast_in_dim"(%28) { broadcast_dimensions = array<i64> } : (tensor<f64>) -> tensor<4xf64>
    %30 = "stablehlo.constant"() { value = dense<1.0e-05> : tensor<f64> } : () -> tensor<f64>
    %31 = "stablehlo.broadcast_in_dim"(%30) { broadcast_dimensions = array<i64> } : (tensor<f64>) -> tensor<4xf64>
    %32 = "stablehlo.add"(%27, %31) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
    %33 = "stablehlo.sqrt"(%32) : (tensor<4xf64>) -> tensor<4xf64>
    %34 = "stablehlo.divide"(%29, %33) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
    %35 = "stablehlo.constant"() { value = dense<0.9> : tensor<f64> } : () -> tensor<f64>
    %36 = "stablehlo.broadcast_in_dim"(%35) { broadcast_dimensions = array<i64> } : (tensor<f64>) -> tensor<4xf64>
    %37 = "stablehlo.constant"() { value = dense<0.1> : tensor<f64> } : () -> tensor<f64>
    %38 = "stablehlo.broadcast_in_dim"(%37) { broadcast_dimensions = array<i64> } : (tensor<f64>) -> tensor<4xf64>
    %39 = "stablehlo.convert"(%6) : (tensor<4xf32>) -> tensor<4xf64>
    %40 = "stablehlo.add"(%39, %16) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
    %41 = "stablehlo.constant"() { value = dense<1.003921568627451> : tensor<f64> } : () -> tensor<f64>
    %42 = "stablehlo.broadcast_in_dim"(%41) { broadcast_dimensions = array<i64> } : (tensor<f64>) -> tensor<4xf64>
    %43 = "stablehlo.multiply"(%27, %42) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
    %44 = "stablehlo.convert"(%batchnorm0_mean) : (tensor<4xf32>) -> tensor<4xf64>
    %45 = "stablehlo.multiply"(%36, %44) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
    %46 = "stablehlo.multiply"(%38, %40) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
    %47 = "stablehlo.add"(%45, %46) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
    %48 = "stablehlo.convert"(%47) : (tensor<4xf64>) -> tensor<4xf32>
    %49 = "stablehlo.convert"(%batchnorm0_var) : (tensor<4xf32>) -> tensor<4xf64>
    %50 = "stablehlo.multiply"(%36, %49) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
    %51 = "stablehlo.multiply"(%38, %43) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
    %52 = "stablehlo.add"(%50, %51) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
    %53 = "stablehlo.convert"(%52) : (tensor<4xf64>) -> tensor<4xf32>
    %54 = "stablehlo.constant"() { value = dense<1> : tensor<i64> } : () -> tensor<i64>
    %55 = "stablehlo.add"(%batchnorm0_tracked, %54) : (tensor<i64>, tensor<i64>) -> tensor<i64>
    %56 = "stablehlo.convert"(%34) : (tensor<4xf64>) -> tensor<4xf32>
    %57 = "stablehlo.multiply"(%56, %bn0_weight) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %58 = "stablehlo.broadcast_in_dim"(%57) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf32>) -> tensor<4x4x8x8xf32>
    %59 = "stablehlo.broadcast_in_dim"(%6) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf32>) -> tensor<4x4x8x8xf32>
    %60 = "stablehlo.subtract"(%4, %59) : (tensor<4x4x8x8xf32>, tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf32>
    %61 = "stablehlo.convert"(%16) : (tensor<4xf64>) -> tensor<4xf32>
    %62 = "stablehlo.broadcast_in_dim"(%61) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf32>) -> tensor<4x4x8x8xf32>
    %63 = "stablehlo.subtract"(%60, %62) : (tensor<4x4x8x8xf32>, tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf32>
    %64 = "stablehlo.multiply"(%63, %58) : (tensor<4x4x8x8xf32>, tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf32>
    %65 = "stablehlo.broadcast_in_dim"(%bn0_bias) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf32>) -> tensor<4x4x8x8xf32>
    %66 = "stablehlo.add"(%64, %65) : (tensor<4x4x8x8xf32>, tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf32>
    %67 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %68 = "stablehlo.broadcast_in_dim"(%67) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4x8x8xf32>
    %69 = "stablehlo.maximum"(%66, %68) : (tensor<4x4x8x8xf32>, tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf32>
    %70 = "stablehlo.reshape"(%69) : (tensor<4x4x8x8xf32>) -> tensor<4x4x64xf32>
    %72 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %73 = "stablehlo.reduce"(%70, %72) ({
      ^reductionFn(%arg4: tensor<f32>, %arg5: tensor<f32>) :
          %71 = "stablehlo.add"(%arg4, %arg5) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%71) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 2> } : (tensor<4x4x64xf32>, tensor<f32>) -> tensor<4x4xf32>
    %74 = "stablehlo.reshape"(%73) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %75 = "stablehlo.constant"() { value = dense<64.0> : tensor<f32> } : () -> tensor<f32>
    %76 = "stablehlo.reshape"(%75) : (tensor<f32>) -> tensor<f32>
    %77 = "stablehlo.broadcast_in_dim"(%76) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %78 = "stablehlo.divide"(%74, %77) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %79 = "stablehlo.transpose"(%proj_0_weight) { permutation = array<i64: 1, 0> } : (tensor<8x4xf32>) -> tensor<4x8xf32>
    %80 = "stablehlo.convert"(%78) : (tensor<4x4xf32>) -> tensor<4x4xbf16>
    %81 = "stablehlo.convert"(%79) : (tensor<4x8xf32>) -> tensor<4x8xbf16>
    %82 = "stablehlo.dot_general"(%80, %81) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>]
    } : (tensor<4x4xbf16>, tensor<4x8xbf16>) -> tensor<4x8xf32>
    %83 = "stablehlo.reshape"(%proj_0_bias) : (tensor<8xf32>) -> tensor<1x8xf32>
    %84 = "stablehlo.constant"() { value = dense<4.0> : tensor<f32> } : () -> tensor<f32>
    %85 = "stablehlo.reshape"(%83) : (tensor<1x8xf32>) -> tensor<1x8xf32>
    %86 = "stablehlo.broadcast_in_dim"(%85) { broadcast_dimensions = array<i64: 0, 1> } : (tensor<1x8xf32>) -> tensor<4x8xf32>
    %87 = "stablehlo.add"(%82, %86) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %88 = "stablehlo.slice"(%87) {
      limit_indices = array<i64: 1, 8>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x8xf32>) -> tensor<1x8xf32>
    %89 = "stablehlo.reshape"(%88) : (tensor<1x8xf32>) -> tensor<8xf32>
    %90 = "stablehlo.constant"() { value = dense<4.0> : tensor<f64> } : () -> tensor<f64>
    %91 = "stablehlo.broadcast_in_dim"(%90) { broadcast_dimensions = array<i64> } : (tensor<f64>) -> tensor<8xf64>
    %92 = "stablehlo.convert"(%87) : (tensor<4x8xf32>) -> tensor<4x8xf64>
    %93 = "stablehlo.convert"(%89) : (tensor<8xf32>) -> tensor<8xf64>
    %94 = "stablehlo.broadcast_in_dim"(%93) { broadcast_dimensions = array<i64: 1> } : (tensor<8xf64>) -> tensor<4x8xf64>
    %95 = "stablehlo.subtract"(%92, %94) : (tensor<4x8xf64>, tensor<4x8xf64>) -> tensor<4x8xf64>
    %97 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %98 = "stablehlo.reduce"(%95, %97) ({
      ^reductionFn(%arg6: tensor<f64>, %arg7: tensor<f64>) :
          %96 = "stablehlo.add"(%arg6, %arg7) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%96) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4x8xf64>, tensor<f64>) -> tensor<8xf64>
    %99 = "stablehlo.divide"(%98, %91) : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
    %100 = "stablehlo.convert"(%87) : (tensor<4x8xf32>) -> tensor<4x8xf64>
    %101 = "stablehlo.convert"(%89) : (tensor<8xf32>) -> tensor<8xf64>
    %102 = "stablehlo.broadcast_in_dim"(%101) { broadcast_dimensions = array<i64: 1> } : (tensor<8xf64>) -> tensor<4x8xf64>
    %103 = "stablehlo.subtract"(%100, %102) : (tensor<4x8xf64>, tensor<4x8xf64>) -> tensor<4x8xf64>
    %104 = "stablehlo.broadcast_in_dim"(%99) { broadcast_dimensions = array<i64: 1> } : (tensor<8xf64>) -> tensor<4x8xf64>
    %105 = "stablehlo.subtract"(%103, %104) : (tensor<4x8xf64>, tensor<4x8xf64>) -> tensor<4x8xf64>
    %106 = "stablehlo.multiply"(%105, %105) : (tensor<4x8xf64>, tensor<4x8xf64>) -> tensor<4x8xf64>
    %108 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %109 = "stablehlo.reduce"(%106, %108) ({
      ^reductionFn(%arg8: tensor<f64>, %arg9: tensor<f64>) :
          %107 = "stablehlo.add"(%arg8, %arg9) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%107) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4x8xf64>, tensor<f64>) -> tensor<8xf64>
    %110 = "stablehlo.divide"(%109, %91) : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
    %111 = "stablehlo.constant"() { value = dense<1.0> : tensor<f64> } : () -> tensor<f64>
    %112 = "stablehlo.broadcast_in_dim"(%111) { broadcast_dimensions = array<i64> } : (tensor<f64>) -> tensor<8xf64>
    %113 = "stablehlo.constant"() { value = dense<1.0e-05> : tensor<f64> } : () -> tensor<f64>
    %114 = "stablehlo.broadcast_in_dim"(%113) { broadcast_dimensions = array<i64> } : (tensor<f64>) -> tensor<8xf64>
    %115 = "stablehlo.add"(%110, %114) : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
    %116 = "stablehlo.sqrt"(%115) : (tensor<8xf64>) -> tensor<8xf64>
    %117 = "stablehlo.divide"(%112, %116) : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
    %118 = "stablehlo.constant"() { value = dense<0.9> : tensor<f64> } : () -> tensor<f64>
    %119 = "stablehlo.broadcast_in_dim"(%118) { broadcast_dimensions = array<i64> } : (tensor<f64>) -> tensor<8xf64>
    %120 = "stablehlo.constant"() { value = dense<0.1> : tensor<f64> } : () -> tensor<f64>
    %121 = "stablehlo.broadcast_in_dim"(%120) { broadcast_dimensions = array<i64> } : (tensor<f64>) -> tensor<8xf64>
    %122 = "stablehlo.convert"(%89) : (tensor<8xf32>) -> tensor<8xf64>
    %123 = "stablehlo.add"(%122, %99) : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
    %124 = "stablehlo.constant"() { value = dense<1.3333333333333333> : tensor<f64> } : () -> tensor<f64>
    %125 = "stablehlo.broadcast_in_dim"(%124) { broadcast_dimensions = array<i64> } : (tensor<f64>) -> tensor<8xf64>
    %126 = "stablehlo.multiply"(%110, %125) : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
    %127 = "stablehlo.convert"(%batchnorm1_mean) : (tensor<8xf32>) -> tensor<8xf64>
    %128 = "stablehlo.multiply"(%119, %127) : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
    %129 = "stablehlo.multiply"(%121, %123) : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
    %130 = "stablehlo.add"(%128, %129) : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
    %131 = "stablehlo.convert"(%130) : (tensor<8xf64>) -> tensor<8xf32>
    %132 = "stablehlo.convert"(%batchnorm1_var) : (tensor<8xf32>) -> tensor<8xf64>
    %133 = "stablehlo.multiply"(%119, %132) : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
    %134 = "stablehlo.multiply"(%121, %126) : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
    %135 = "stablehlo.add"(%133, %134) : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
    %136 = "stablehlo.convert"(%135) : (tensor<8xf64>) -> tensor<8xf32>
    %137 = "stablehlo.constant"() { value = dense<1> : tensor<i64> } : () -> tensor<i64>
    %138 = "stablehlo.add"(%batchnorm1_tracked, %137) : (tensor<i64>, tensor<i64>) -> tensor<i64>
    %139 = "stablehlo.convert"(%117) : (tensor<8xf64>) -> tensor<8xf32>
    %140 = "stablehlo.multiply"(%139, %proj_1_weight) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %141 = "stablehlo.broadcast_in_dim"(%140) { broadcast_dimensions = array<i64: 1> } : (tensor<8xf32>) -> tensor<4x8xf32>
    %142 = "stablehlo.broadcast_in_dim"(%89) { broadcast_dimensions = array<i64: 1> } : (tensor<8xf32>) -> tensor<4x8xf32>
    %143 = "stablehlo.subtract"(%87, %142) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %144 = "stablehlo.convert"(%99) : (tensor<8xf64>) -> tensor<8xf32>
    %145 = "stablehlo.broadcast_in_dim"(%144) { broadcast_dimensions = array<i64: 1> } : (tensor<8xf32>) -> tensor<4x8xf32>
    %146 = "stablehlo.subtract"(%143, %145) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %147 = "stablehlo.multiply"(%146, %141) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %148 = "stablehlo.broadcast_in_dim"(%proj_1_bias) { broadcast_dimensions = array<i64: 1> } : (tensor<8xf32>) -> tensor<4x8xf32>
    %149 = "stablehlo.add"(%147, %148) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %150 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %151 = "stablehlo.broadcast_in_dim"(%150) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x8xf32>
    %152 = "stablehlo.maximum"(%149, %151) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %153 = "stablehlo.transpose"(%proj_3_weight) { permutation = array<i64: 1, 0> } : (tensor<4x8xf32>) -> tensor<8x4xf32>
    %154 = "stablehlo.convert"(%152) : (tensor<4x8xf32>) -> tensor<4x8xbf16>
    %155 = "stablehlo.convert"(%153) : (tensor<8x4xf32>) -> tensor<8x4xbf16>
    %156 = "stablehlo.dot_general"(%154, %155) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>]
    } : (tensor<4x8xbf16>, tensor<8x4xbf16>) -> tensor<4x4xf32>
    %157 = "stablehlo.reshape"(%proj_3_bias) : (tensor<4xf32>) -> tensor<1x4xf32>
    %158 = "stablehlo.constant"() { value = dense<4.0> : tensor<f32> } : () -> tensor<f32>
    %159 = "stablehlo.reshape"(%157) : (tensor<1x4xf32>) -> tensor<1x4xf32>
    %160 = "stablehlo.broadcast_in_dim"(%159) { broadcast_dimensions = array<i64: 0, 1> } : (tensor<1x4xf32>) -> tensor<4x4xf32>
    %161 = "stablehlo.add"(%156, %160) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %162 = "stablehlo.slice"(%161) {
      limit_indices = array<i64: 2, 4>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x4xf32>) -> tensor<2x4xf32>
    %163 = "stablehlo.slice"(%161) {
      limit_indices = array<i64: 4, 4>,
      start_indices = array<i64: 2, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x4xf32>) -> tensor<2x4xf32>
    %164 = "stablehlo.concatenate"(%162, %163) { dimension = 0 : i64 } : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<4x4xf32>
    %165 = "stablehlo.multiply"(%164, %164) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %167 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %168 = "stablehlo.reduce"(%165, %167) ({
      ^reductionFn(%arg10: tensor<f32>, %arg11: tensor<f32>) :
          %166 = "stablehlo.add"(%arg10, %arg11) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%166) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %169 = "stablehlo.sqrt"(%168) : (tensor<4xf32>) -> tensor<4xf32>
    %170 = "stablehlo.constant"() { value = dense<9.999999960041972e-13> : tensor<f32> } : () -> tensor<f32>
    %171 = "stablehlo.broadcast_in_dim"(%170) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4xf32>
    %172 = "stablehlo.maximum"(%169, %171) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %173 = "stablehlo.broadcast_in_dim"(%172) { broadcast_dimensions = array<i64: 0> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %174 = "stablehlo.divide"(%164, %173) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %175 = "stablehlo.transpose"(%174) { permutation = array<i64: 1, 0> } : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %176 = "stablehlo.convert"(%174) : (tensor<4x4xf32>) -> tensor<4x4xbf16>
    %177 = "stablehlo.convert"(%175) : (tensor<4x4xf32>) -> tensor<4x4xbf16>
    %178 = "stablehlo.dot_general"(%176, %177) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>]
    } : (tensor<4x4xbf16>, tensor<4x4xbf16>) -> tensor<4x4xf32>
    %179 = "stablehlo.constant"() { value = dense<5.0> : tensor<f32> } : () -> tensor<f32>
    %180 = "stablehlo.reshape"(%179) : (tensor<f32>) -> tensor<f32>
    %181 = "stablehlo.broadcast_in_dim"(%180) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %182 = "stablehlo.multiply"(%178, %181) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %183 = "stablehlo.constant"() { value = dense<[[0.0, 1.0, 1.0, 1.0], [1.0, 0.0, 1.0, 1.0], [1.0, 1.0, 0.0, 1.0], [1.0, 1.0, 1.0, 0.0]]> : tensor<4x4xf32> } : () -> tensor<4x4xf32>
    %184 = "stablehlo.constant"() { value = dense<[[0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]]> : tensor<4x4xf32> } : () -> tensor<4x4xf32>
    %185 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %186 = "stablehlo.broadcast_in_dim"(%185) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %187 = "stablehlo.compare"(%183, %186) {
      compare_type = #stablehlo<comparison_type FLOAT>,
      comparison_direction = #stablehlo<comparison_direction NE>
    } : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xi1>
    %188 = "stablehlo.constant"() { value = dense<0xff800000> : tensor<f32> } : () -> tensor<f32>
    %189 = "stablehlo.broadcast_in_dim"(%188) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %190 = "stablehlo.select"(%187, %182, %189) : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %192 = "stablehlo.constant"() { value = dense<0xff800000> : tensor<f32> } : () -> tensor<f32>
    %193 = "stablehlo.reduce"(%190, %192) ({
      ^reductionFn(%arg12: tensor<f32>, %arg13: tensor<f32>) :
          %191 = "stablehlo.maximum"(%arg12, %arg13) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%191) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %194 = "stablehlo.broadcast_in_dim"(%193) { broadcast_dimensions = array<i64: 0> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %195 = "stablehlo.subtract"(%182, %194) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %196 = "stablehlo.exponential"(%195) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %197 = "stablehlo.multiply"(%183, %196) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %198 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %199 = "stablehlo.broadcast_in_dim"(%198) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %200 = "stablehlo.select"(%187, %197, %199) : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %202 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %203 = "stablehlo.reduce"(%200, %202) ({
      ^reductionFn(%arg14: tensor<f32>, %arg15: tensor<f32>) :
          %201 = "stablehlo.add"(%arg14, %arg15) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%201) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %204 = "stablehlo.log"(%203) : (tensor<4xf32>) -> tensor<4xf32>
    %205 = "stablehlo.add"(%193, %204) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %206 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %207 = "stablehlo.broadcast_in_dim"(%206) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %208 = "stablehlo.compare"(%184, %207) {
      compare_type = #stablehlo<comparison_type FLOAT>,
      comparison_direction = #stablehlo<comparison_direction NE>
    } : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xi1>
    %209 = "stablehlo.constant"() { value = dense<0xff800000> : tensor<f32> } : () -> tensor<f32>
    %210 = "stablehlo.broadcast_in_dim"(%209) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %211 = "stablehlo.select"(%208, %182, %210) : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %213 = "stablehlo.constant"() { value = dense<0xff800000> : tensor<f32> } : () -> tensor<f32>
    %214 = "stablehlo.reduce"(%211, %213) ({
      ^reductionFn(%arg16: tensor<f32>, %arg17: tensor<f32>) :
          %212 = "stablehlo.maximum"(%arg16, %arg17) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%212) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %215 = "stablehlo.broadcast_in_dim"(%214) { broadcast_dimensions = array<i64: 0> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %216 = "stablehlo.subtract"(%182, %215) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %217 = "stablehlo.exponential"(%216) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %218 = "stablehlo.multiply"(%184, %217) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %219 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %220 = "stablehlo.broadcast_in_dim"(%219) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %221 = "stablehlo.select"(%208, %218, %220) : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %223 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %224 = "stablehlo.reduce"(%221, %223) ({
      ^reductionFn(%arg18: tensor<f32>, %arg19: tensor<f32>) :
          %222 = "stablehlo.add"(%arg18, %arg19) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%222) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %225 = "stablehlo.log"(%224) : (tensor<4xf32>) -> tensor<4xf32>
    %226 = "stablehlo.add"(%214, %225) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %227 = "stablehlo.subtract"(%205, %226) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %229 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %230 = "stablehlo.reduce"(%227, %229) ({
      ^reductionFn(%arg20: tensor<f32>, %arg21: tensor<f32>) :
          %228 = "stablehlo.add"(%arg20, %arg21) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%228) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4xf32>, tensor<f32>) -> tensor<f32>
    %231 = "stablehlo.reshape"(%230) : (tensor<f32>) -> tensor<f32>
    %232 = "stablehlo.constant"() { value = dense<4.0> : tensor<f32> } : () -> tensor<f32>
    %233 = "stablehlo.divide"(%231, %232) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %234 = "stablehlo.constant"() { value = dense<1.0> : tensor<f32> } : () -> tensor<f32>
    %235 = "stablehlo.divide"(%234, %232) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %236 = "stablehlo.divide"(%233, %232) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %237 = "stablehlo.negate"(%236) : (tensor<f32>) -> tensor<f32>
    %238 = "stablehlo.multiply"(%237, %234) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %239 = "stablehlo.reshape"(%235) : (tensor<f32>) -> tensor<1xf32>
    %240 = "stablehlo.reshape"(%239) : (tensor<1xf32>) -> tensor<1xf32>
    %241 = "stablehlo.broadcast_in_dim"(%240) { broadcast_dimensions = array<i64: 0> } : (tensor<1xf32>) -> tensor<4xf32>
    %242 = "stablehlo.negate"(%241) : (tensor<4xf32>) -> tensor<4xf32>
    %243 = "stablehlo.broadcast_in_dim"(%242) { broadcast_dimensions = array<i64: 0> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %244 = "stablehlo.broadcast_in_dim"(%226) { broadcast_dimensions = array<i64: 0> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %245 = "stablehlo.subtract"(%182, %244) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %246 = "stablehlo.exponential"(%245) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %247 = "stablehlo.multiply"(%184, %246) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %248 = "stablehlo.multiply"(%243, %247) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %249 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %250 = "stablehlo.broadcast_in_dim"(%249) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %251 = "stablehlo.compare"(%184, %250) {
      compare_type = #stablehlo<comparison_type FLOAT>,
      comparison_direction = #stablehlo<comparison_direction NE>
    } : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xi1>
    %252 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %253 = "stablehlo.broadcast_in_dim"(%252) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %254 = "stablehlo.select"(%251, %248, %253) : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %255 = "stablehlo.broadcast_in_dim"(%241) { broadcast_dimensions = array<i64: 0> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %256 = "stablehlo.broadcast_in_dim"(%205) { broadcast_dimensions = array<i64: 0> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %257 = "stablehlo.subtract"(%182, %256) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %258 = "stablehlo.exponential"(%257) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %259 = "stablehlo.multiply"(%183, %258) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %260 = "stablehlo.multiply"(%255, %259) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %261 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %262 = "stablehlo.broadcast_in_dim"(%261) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %263 = "stablehlo.compare"(%183, %262) {
      compare_type = #stablehlo<comparison_type FLOAT>,
      comparison_direction = #stablehlo<comparison_direction NE>
    } : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xi1>
    %264 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %265 = "stablehlo.broadcast_in_dim"(%264) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %266 = "stablehlo.select"(%263, %260, %265) : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %267 = "stablehlo.add"(%254, %266) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %268 = "stablehlo.reshape"(%179) : (tensor<f32>) -> tensor<f32>
    %269 = "stablehlo.broadcast_in_dim"(%268) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %270 = "stablehlo.multiply"(%269, %267) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %271 = "stablehlo.multiply"(%178, %267) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %273 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %274 = "stablehlo.reduce"(%271, %273) ({
      ^reductionFn(%arg22: tensor<f32>, %arg23: tensor<f32>) :
          %272 = "stablehlo.add"(%arg22, %arg23) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%272) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 0, 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<f32>
    %275 = "stablehlo.reshape"(%274) : (tensor<f32>) -> tensor<f32>
    %276 = "stablehlo.convert"(%270) : (tensor<4x4xf32>) -> tensor<4x4xbf16>
    %277 = "stablehlo.convert"(%175) : (tensor<4x4xf32>) -> tensor<4x4xbf16>
    %278 = "stablehlo.dot_general"(%276, %277) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [1]
>,
      precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>]
    } : (tensor<4x4xbf16>, tensor<4x4xbf16>) -> tensor<4x4xf32>
    %279 = "stablehlo.convert"(%174) : (tensor<4x4xf32>) -> tensor<4x4xbf16>
    %280 = "stablehlo.convert"(%270) : (tensor<4x4xf32>) -> tensor<4x4xbf16>
    %281 = "stablehlo.dot_general"(%279, %280) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [0],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>]
    } : (tensor<4x4xbf16>, tensor<4x4xbf16>) -> tensor<4x4xf32>
    %282 = "stablehlo.transpose"(%281) { permutation = array<i64: 1, 0> } : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %283 = "stablehlo.add"(%278, %282) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %284 = "stablehlo.multiply"(%164, %164) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %286 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %287 = "stablehlo.reduce"(%284, %286) ({
      ^reductionFn(%arg24: tensor<f32>, %arg25: tensor<f32>) :
          %285 = "stablehlo.add"(%arg24, %arg25) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%285) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %288 = "stablehlo.sqrt"(%287) : (tensor<4xf32>) -> tensor<4xf32>
    %289 = "stablehlo.broadcast_in_dim"(%288) { broadcast_dimensions = array<i64: 0> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %290 = "stablehlo.multiply"(%174, %283) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %292 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %293 = "stablehlo.reduce"(%290, %292) ({
      ^reductionFn(%arg26: tensor<f32>, %arg27: tensor<f32>) :
          %291 = "stablehlo.add"(%arg26, %arg27) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%291) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %294 = "stablehlo.broadcast_in_dim"(%293) { broadcast_dimensions = array<i64: 0> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %295 = "stablehlo.multiply"(%174, %294) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %296 = "stablehlo.subtract"(%283, %295) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %297 = "stablehlo.divide"(%296, %289) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %298 = "stablehlo.constant"() { value = dense<9.999999960041972e-13> : tensor<f32> } : () -> tensor<f32>
    %299 = "stablehlo.broadcast_in_dim"(%298) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %300 = "stablehlo.divide"(%283, %299) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %301 = "stablehlo.constant"() { value = dense<9.999999960041972e-13> : tensor<f32> } : () -> tensor<f32>
    %302 = "stablehlo.broadcast_in_dim"(%301) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %303 = "stablehlo.compare"(%289, %302) {
      compare_type = #stablehlo<comparison_type FLOAT>,
      comparison_direction = #stablehlo<comparison_direction GT>
    } : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xi1>
    %304 = "stablehlo.select"(%303, %297, %300) : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %305 = "stablehlo.slice"(%304) {
      limit_indices = array<i64: 2, 4>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x4xf32>) -> tensor<2x4xf32>
    %306 = "stablehlo.slice"(%304) {
      limit_indices = array<i64: 4, 4>,
      start_indices = array<i64: 2, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x4xf32>) -> tensor<2x4xf32>
    %307 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %308 = "stablehlo.pad"(%306, %307) {
      edge_padding_high = array<i64: 0, 0>,
      edge_padding_low = array<i64: 2, 0>,
      interior_padding = array<i64: 0, 0>
    } : (tensor<2x4xf32>, tensor<f32>) -> tensor<4x4xf32>
    %309 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %310 = "stablehlo.pad"(%305, %309) {
      edge_padding_high = array<i64: 2, 0>,
      edge_padding_low = array<i64: 0, 0>,
      interior_padding = array<i64: 0, 0>
    } : (tensor<2x4xf32>, tensor<f32>) -> tensor<4x4xf32>
    %311 = "stablehlo.add"(%308, %310) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %313 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %314 = "stablehlo.reduce"(%311, %313) ({
      ^reductionFn(%arg28: tensor<f32>, %arg29: tensor<f32>) :
          %312 = "stablehlo.add"(%arg28, %arg29) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%312) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %315 = "stablehlo.reshape"(%314) : (tensor<4xf32>) -> tensor<4xf32>
    %316 = "stablehlo.reshape"(%315) : (tensor<4xf32>) -> tensor<4xf32>
    %317 = "stablehlo.convert"(%311) : (tensor<4x4xf32>) -> tensor<4x4xbf16>
    %318 = "stablehlo.convert"(%153) : (tensor<8x4xf32>) -> tensor<8x4xbf16>
    %319 = "stablehlo.dot_general"(%317, %318) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [1]
>,
      precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>]
    } : (tensor<4x4xbf16>, tensor<8x4xbf16>) -> tensor<4x8xf32>
    %320 = "stablehlo.convert"(%152) : (tensor<4x8xf32>) -> tensor<4x8xbf16>
    %321 = "stablehlo.convert"(%311) : (tensor<4x4xf32>) -> tensor<4x4xbf16>
    %322 = "stablehlo.dot_general"(%320, %321) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [0],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>]
    } : (tensor<4x8xbf16>, tensor<4x4xbf16>) -> tensor<8x4xf32>
    %323 = "stablehlo.transpose"(%322) { permutation = array<i64: 1, 0> } : (tensor<8x4xf32>) -> tensor<4x8xf32>
    %324 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %325 = "stablehlo.broadcast_in_dim"(%324) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x8xf32>
    %326 = "stablehlo.compare"(%149, %325) {
      compare_type = #stablehlo<comparison_type FLOAT>,
      comparison_direction = #stablehlo<comparison_direction GT>
    } : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xi1>
    %327 = "stablehlo.select"(%326, %319, %325) : (tensor<4x8xi1>, tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %328 = "stablehlo.convert"(%87) : (tensor<4x8xf32>) -> tensor<4x8xf64>
    %329 = "stablehlo.convert"(%89) : (tensor<8xf32>) -> tensor<8xf64>
    %330 = "stablehlo.broadcast_in_dim"(%329) { broadcast_dimensions = array<i64: 1> } : (tensor<8xf64>) -> tensor<4x8xf64>
    %331 = "stablehlo.subtract"(%328, %330) : (tensor<4x8xf64>, tensor<4x8xf64>) -> tensor<4x8xf64>
    %332 = "stablehlo.broadcast_in_dim"(%99) { broadcast_dimensions = array<i64: 1> } : (tensor<8xf64>) -> tensor<4x8xf64>
    %333 = "stablehlo.subtract"(%331, %332) : (tensor<4x8xf64>, tensor<4x8xf64>) -> tensor<4x8xf64>
    %334 = "stablehlo.convert"(%327) : (tensor<4x8xf32>) -> tensor<4x8xf64>
    %335 = "stablehlo.multiply"(%334, %333) : (tensor<4x8xf64>, tensor<4x8xf64>) -> tensor<4x8xf64>
    %337 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %338 = "stablehlo.reduce"(%335, %337) ({
      ^reductionFn(%arg30: tensor<f64>, %arg31: tensor<f64>) :
          %336 = "stablehlo.add"(%arg30, %arg31) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%336) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4x8xf64>, tensor<f64>) -> tensor<8xf64>
    %339 = "stablehlo.multiply"(%338, %117) : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
    %340 = "stablehlo.convert"(%339) : (tensor<8xf64>) -> tensor<8xf32>
    %341 = "stablehlo.convert"(%327) : (tensor<4x8xf32>) -> tensor<4x8xf64>
    %343 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %344 = "stablehlo.reduce"(%341, %343) ({
      ^reductionFn(%arg32: tensor<f64>, %arg33: tensor<f64>) :
          %342 = "stablehlo.add"(%arg32, %arg33) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%342) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4x8xf64>, tensor<f64>) -> tensor<8xf64>
    %345 = "stablehlo.convert"(%344) : (tensor<8xf64>) -> tensor<8xf32>
    %346 = "stablehlo.reshape"(%340) : (tensor<8xf32>) -> tensor<1x8xf32>
    %347 = "stablehlo.reshape"(%345) : (tensor<8xf32>) -> tensor<1x8xf32>
    %348 = "stablehlo.concatenate"(%346, %347) { dimension = 0 : i64 } : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<2x8xf32>
    %349 = "stablehlo.constant"() { value = dense<4.0> : tensor<f32> } : () -> tensor<f32>
    %350 = "stablehlo.broadcast_in_dim"(%349) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<8xf32>
    %351 = "stablehlo.convert"(%117) : (tensor<8xf64>) -> tensor<8xf32>
    %352 = "stablehlo.slice"(%348) {
      limit_indices = array<i64: 1, 8>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<2x8xf32>) -> tensor<1x8xf32>
    %353 = "stablehlo.reshape"(%352) : (tensor<1x8xf32>) -> tensor<8xf32>
    %354 = "stablehlo.slice"(%348) {
      limit_indices = array<i64: 2, 8>,
      start_indices = array<i64: 1, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<2x8xf32>) -> tensor<1x8xf32>
    %355 = "stablehlo.reshape"(%354) : (tensor<1x8xf32>) -> tensor<8xf32>
    %356 = "stablehlo.divide"(%355, %350) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %357 = "stablehlo.multiply"(%353, %351) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %358 = "stablehlo.divide"(%357, %350) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %359 = "stablehlo.broadcast_in_dim"(%356) { broadcast_dimensions = array<i64: 1> } : (tensor<8xf32>) -> tensor<4x8xf32>
    %360 = "stablehlo.subtract"(%327, %359) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %361 = "stablehlo.broadcast_in_dim"(%89) { broadcast_dimensions = array<i64: 1> } : (tensor<8xf32>) -> tensor<4x8xf32>
    %362 = "stablehlo.subtract"(%87, %361) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %363 = "stablehlo.convert"(%99) : (tensor<8xf64>) -> tensor<8xf32>
    %364 = "stablehlo.broadcast_in_dim"(%363) { broadcast_dimensions = array<i64: 1> } : (tensor<8xf32>) -> tensor<4x8xf32>
    %365 = "stablehlo.subtract"(%362, %364) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %366 = "stablehlo.broadcast_in_dim"(%358) { broadcast_dimensions = array<i64: 1> } : (tensor<8xf32>) -> tensor<4x8xf32>
    %367 = "stablehlo.multiply"(%365, %366) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %368 = "stablehlo.subtract"(%360, %367) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %369 = "stablehlo.multiply"(%proj_1_weight, %351) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %370 = "stablehlo.broadcast_in_dim"(%369) { broadcast_dimensions = array<i64: 1> } : (tensor<8xf32>) -> tensor<4x8xf32>
    %371 = "stablehlo.multiply"(%370, %368) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %372 = "stablehlo.slice"(%348) {
      limit_indices = array<i64: 1, 8>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<2x8xf32>) -> tensor<1x8xf32>
    %373 = "stablehlo.reshape"(%372) : (tensor<1x8xf32>) -> tensor<8xf32>
    %374 = "stablehlo.slice"(%348) {
      limit_indices = array<i64: 2, 8>,
      start_indices = array<i64: 1, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<2x8xf32>) -> tensor<1x8xf32>
    %375 = "stablehlo.reshape"(%374) : (tensor<1x8xf32>) -> tensor<8xf32>
    %377 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %378 = "stablehlo.reduce"(%371, %377) ({
      ^reductionFn(%arg34: tensor<f32>, %arg35: tensor<f32>) :
          %376 = "stablehlo.add"(%arg34, %arg35) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%376) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4x8xf32>, tensor<f32>) -> tensor<8xf32>
    %379 = "stablehlo.reshape"(%378) : (tensor<8xf32>) -> tensor<8xf32>
    %380 = "stablehlo.reshape"(%379) : (tensor<8xf32>) -> tensor<8xf32>
    %381 = "stablehlo.convert"(%371) : (tensor<4x8xf32>) -> tensor<4x8xbf16>
    %382 = "stablehlo.convert"(%79) : (tensor<4x8xf32>) -> tensor<4x8xbf16>
    %383 = "stablehlo.dot_general"(%381, %382) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [1]
>,
      precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>]
    } : (tensor<4x8xbf16>, tensor<4x8xbf16>) -> tensor<4x4xf32>
    %384 = "stablehlo.convert"(%78) : (tensor<4x4xf32>) -> tensor<4x4xbf16>
    %385 = "stablehlo.convert"(%371) : (tensor<4x8xf32>) -> tensor<4x8xbf16>
    %386 = "stablehlo.dot_general"(%384, %385) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [0],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>]
    } : (tensor<4x4xbf16>, tensor<4x8xbf16>) -> tensor<4x8xf32>
    %387 = "stablehlo.transpose"(%386) { permutation = array<i64: 1, 0> } : (tensor<4x8xf32>) -> tensor<8x4xf32>
    %388 = "stablehlo.reshape"(%75) : (tensor<f32>) -> tensor<f32>
    %389 = "stablehlo.broadcast_in_dim"(%388) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %390 = "stablehlo.divide"(%383, %389) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %391 = "stablehlo.reshape"(%75) : (tensor<f32>) -> tensor<f32>
    %392 = "stablehlo.broadcast_in_dim"(%391) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %393 = "stablehlo.divide"(%78, %392) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %394 = "stablehlo.negate"(%393) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %395 = "stablehlo.multiply"(%394, %383) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %397 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %398 = "stablehlo.reduce"(%395, %397) ({
      ^reductionFn(%arg36: tensor<f32>, %arg37: tensor<f32>) :
          %396 = "stablehlo.add"(%arg36, %arg37) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%396) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 0, 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<f32>
    %399 = "stablehlo.reshape"(%398) : (tensor<f32>) -> tensor<f32>
    %400 = "stablehlo.reshape"(%390) : (tensor<4x4xf32>) -> tensor<4x4x1xf32>
    %401 = "stablehlo.reshape"(%400) : (tensor<4x4x1xf32>) -> tensor<4x4x1xf32>
    %402 = "stablehlo.broadcast_in_dim"(%401) { broadcast_dimensions = array<i64: 0, 1, 2> } : (tensor<4x4x1xf32>) -> tensor<4x4x64xf32>
    %403 = "stablehlo.reshape"(%402) : (tensor<4x4x64xf32>) -> tensor<4x4x8x8xf32>
    %404 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %405 = "stablehlo.broadcast_in_dim"(%404) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4x8x8xf32>
    %406 = "stablehlo.compare"(%66, %405) {
      compare_type = #stablehlo<comparison_type FLOAT>,
      comparison_direction = #stablehlo<comparison_direction GT>
    } : (tensor<4x4x8x8xf32>, tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xi1>
    %407 = "stablehlo.select"(%406, %403, %405) : (tensor<4x4x8x8xi1>, tensor<4x4x8x8xf32>, tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf32>
    %408 = "stablehlo.convert"(%4) : (tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf64>
    %409 = "stablehlo.convert"(%6) : (tensor<4xf32>) -> tensor<4xf64>
    %410 = "stablehlo.broadcast_in_dim"(%409) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf64>) -> tensor<4x4x8x8xf64>
    %411 = "stablehlo.subtract"(%408, %410) : (tensor<4x4x8x8xf64>, tensor<4x4x8x8xf64>) -> tensor<4x4x8x8xf64>
    %412 = "stablehlo.broadcast_in_dim"(%16) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf64>) -> tensor<4x4x8x8xf64>
    %413 = "stablehlo.subtract"(%411, %412) : (tensor<4x4x8x8xf64>, tensor<4x4x8x8xf64>) -> tensor<4x4x8x8xf64>
    %414 = "stablehlo.convert"(%407) : (tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf64>
    %415 = "stablehlo.multiply"(%414, %413) : (tensor<4x4x8x8xf64>, tensor<4x4x8x8xf64>) -> tensor<4x4x8x8xf64>
    %417 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %418 = "stablehlo.reduce"(%415, %417) ({
      ^reductionFn(%arg38: tensor<f64>, %arg39: tensor<f64>) :
          %416 = "stablehlo.add"(%arg38, %arg39) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%416) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0, 2, 3> } : (tensor<4x4x8x8xf64>, tensor<f64>) -> tensor<4xf64>
    %419 = "stablehlo.multiply"(%418, %34) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
    %420 = "stablehlo.convert"(%419) : (tensor<4xf64>) -> tensor<4xf32>
    %421 = "stablehlo.convert"(%407) : (tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf64>
    %423 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %424 = "stablehlo.reduce"(%421, %423) ({
      ^reductionFn(%arg40: tensor<f64>, %arg41: tensor<f64>) :
          %422 = "stablehlo.add"(%arg40, %arg41) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%422) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0, 2, 3> } : (tensor<4x4x8x8xf64>, tensor<f64>) -> tensor<4xf64>
    %425 = "stablehlo.convert"(%424) : (tensor<4xf64>) -> tensor<4xf32>
    %426 = "stablehlo.reshape"(%420) : (tensor<4xf32>) -> tensor<1x4xf32>
    %427 = "stablehlo.reshape"(%425) : (tensor<4xf32>) -> tensor<1x4xf32>
    %428 = "stablehlo.concatenate"(%426, %427) { dimension = 0 : i64 } : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<2x4xf32>
    %429 = "stablehlo.constant"() { value = dense<256.0> : tensor<f32> } : () -> tensor<f32>
    %430 = "stablehlo.broadcast_in_dim"(%429) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4xf32>
    %431 = "stablehlo.convert"(%34) : (tensor<4xf64>) -> tensor<4xf32>
    %432 = "stablehlo.slice"(%428) {
      limit_indices = array<i64: 1, 4>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<2x4xf32>) -> tensor<1x4xf32>
    %433 = "stablehlo.reshape"(%432) : (tensor<1x4xf32>) -> tensor<4xf32>
    %434 = "stablehlo.slice"(%428) {
      limit_indices = array<i64: 2, 4>,
      start_indices = array<i64: 1, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<2x4xf32>) -> tensor<1x4xf32>
    %435 = "stablehlo.reshape"(%434) : (tensor<1x4xf32>) -> tensor<4xf32>
    %436 = "stablehlo.divide"(%435, %430) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %437 = "stablehlo.multiply"(%433, %431) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %438 = "stablehlo.divide"(%437, %430) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %439 = "stablehlo.broadcast_in_dim"(%436) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf32>) -> tensor<4x4x8x8xf32>
    %440 = "stablehlo.subtract"(%407, %439) : (tensor<4x4x8x8xf32>, tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf32>
    %441 = "stablehlo.broadcast_in_dim"(%6) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf32>) -> tensor<4x4x8x8xf32>
    %442 = "stablehlo.subtract"(%4, %441) : (tensor<4x4x8x8xf32>, tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf32>
    %443 = "stablehlo.convert"(%16) : (tensor<4xf64>) -> tensor<4xf32>
    %444 = "stablehlo.broadcast_in_dim"(%443) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf32>) -> tensor<4x4x8x8xf32>
    %445 = "stablehlo.subtract"(%442, %444) : (tensor<4x4x8x8xf32>, tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf32>
    %446 = "stablehlo.broadcast_in_dim"(%438) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf32>) -> tensor<4x4x8x8xf32>
    %447 = "stablehlo.multiply"(%445, %446) : (tensor<4x4x8x8xf32>, tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf32>
    %448 = "stablehlo.subtract"(%440, %447) : (tensor<4x4x8x8xf32>, tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf32>
    %449 = "stablehlo.multiply"(%bn0_weight, %431) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %450 = "stablehlo.broadcast_in_dim"(%449) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf32>) -> tensor<4x4x8x8xf32>
    %451 = "stablehlo.multiply"(%450, %448) : (tensor<4x4x8x8xf32>, tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf32>
    %452 = "stablehlo.slice"(%428) {
      limit_indices = array<i64: 1, 4>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<2x4xf32>) -> tensor<1x4xf32>
    %453 = "stablehlo.reshape"(%452) : (tensor<1x4xf32>) -> tensor<4xf32>
    %454 = "stablehlo.slice"(%428) {
      limit_indices = array<i64: 2, 4>,
      start_indices = array<i64: 1, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<2x4xf32>) -> tensor<1x4xf32>
    %455 = "stablehlo.reshape"(%454) : (tensor<1x4xf32>) -> tensor<4xf32>
    %456 = "stablehlo.reverse"(%conv0_weight) { dimensions = array<i64: 2, 3> } : (tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32>
    %457 = "stablehlo.convert"(%451) : (tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xbf16>
    %458 = "stablehlo.convert"(%456) : (tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xbf16>
    %459 = "stablehlo.convolution"(%457, %458) {
      batch_group_count = 1 : i64,
      dimension_numbers = #stablehlo.conv<[b, f, 0, 1]x[i, o, 0, 1]->[b, f, 0, 1]>,
      feature_group_count = 1 : i64,
      lhs_dilation = array<i64: 1, 1>,
      padding = dense<[[1, 1], [1, 1]]> : tensor<2x2xi64>,
      precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>],
      rhs_dilation = array<i64: 1, 1>,
      window_reversal = array<i1: false, false>,
      window_strides = array<i64: 1, 1>
    } : (tensor<4x4x8x8xbf16>, tensor<4x3x3x3xbf16>) -> tensor<4x3x8x8xbf16>
    %460 = "stablehlo.convert"(%459) : (tensor<4x3x8x8xbf16>) -> tensor<4x3x8x8xf32>
    %461 = "stablehlo.convert"(%0) : (tensor<4x3x8x8xf32>) -> tensor<4x3x8x8xbf16>
    %462 = "stablehlo.convert"(%451) : (tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xbf16>
    %463 = "stablehlo.convolution"(%461, %462) {
      batch_group_count = 1 : i64,
      dimension_numbers = #stablehlo.conv<[f, b, 0, 1]x[i, o, 0, 1]->[f, b, 0, 1]>,
      feature_group_count = 1 : i64,
      lhs_dilation = array<i64: 1, 1>,
      padding = dense<[[1, 1], [1, 1]]> : tensor<2x2xi64>,
      precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>],
      rhs_dilation = array<i64: 1, 1>,
      window_reversal = array<i1: false, false>,
      window_strides = array<i64: 1, 1>
    } : (tensor<4x3x8x8xbf16>, tensor<4x4x8x8xbf16>) -> tensor<4x3x3x3xbf16>
    %464 = "stablehlo.convert"(%463) : (tensor<4x3x3x3xbf16>) -> tensor<4x3x3x3xf32>
    %465 = "stablehlo.constant"() { value = dense<9.999999747378752e-05> : tensor<f32> } : () -> tensor<f32>
    %466 = "stablehlo.broadcast_in_dim"(%465) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x3x3x3xf32>
    %467 = "stablehlo.multiply"(%466, %conv0_weight) : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32>
    %468 = "stablehlo.add"(%464, %467) : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32>
    %469 = "stablehlo.constant"() { value = dense<0.8999999761581421> : tensor<f32> } : () -> tensor<f32>
    %470 = "stablehlo.broadcast_in_dim"(%469) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x3x3x3xf32>
    %471 = "stablehlo.multiply"(%470, %momentum_conv0_weight) : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32>
    %472 = "stablehlo.add"(%471, %468) : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32>
    %473 = "stablehlo.convert"(%lr) : (tensor<f64>) -> tensor<f32>
    %474 = "stablehlo.broadcast_in_dim"(%473) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x3x3x3xf32>
    %475 = "stablehlo.multiply"(%474, %472) : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32>
    %476 = "stablehlo.subtract"(%conv0_weight, %475) : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32>
    %477 = "stablehlo.constant"() { value = dense<0.8999999761581421> : tensor<f32> } : () -> tensor<f32>
    %478 = "stablehlo.broadcast_in_dim"(%477) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4xf32>
    %479 = "stablehlo.multiply"(%478, %momentum_bn0_weight) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %480 = "stablehlo.add"(%479, %453) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %481 = "stablehlo.convert"(%lr) : (tensor<f64>) -> tensor<f32>
    %482 = "stablehlo.broadcast_in_dim"(%481) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4xf32>
    %483 = "stablehlo.multiply"(%482, %480) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %484 = "stablehlo.subtract"(%bn0_weight, %483) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %485 = "stablehlo.constant"() { value = dense<0.8999999761581421> : tensor<f32> } : () -> tensor<f32>
    %486 = "stablehlo.broadcast_in_dim"(%485) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4xf32>
    %487 = "stablehlo.multiply"(%486, %momentum_bn0_bias) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %488 = "stablehlo.add"(%487, %455) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %489 = "stablehlo.convert"(%lr) : (tensor<f64>) -> tensor<f32>
    %490 = "stablehlo.broadcast_in_dim"(%489) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4xf32>
    %491 = "stablehlo.multiply"(%490, %488) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %492 = "stablehlo.subtract"(%bn0_bias, %491) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %493 = "stablehlo.constant"() { value = dense<9.999999747378752e-05> : tensor<f32> } : () -> tensor<f32>
    %494 = "stablehlo.broadcast_in_dim"(%493) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<8x4xf32>
    %495 = "stablehlo.multiply"(%494, %proj_0_weight) : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
    %496 = "stablehlo.add"(%387, %495) : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
    %497 = "stablehlo.constant"() { value = dense<0.8999999761581421> : tensor<f32> } : () -> tensor<f32>
    %498 = "stablehlo.broadcast_in_dim"(%497) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<8x4xf32>
    %499 = "stablehlo.multiply"(%498, %momentum_proj_0_weight) : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
    %500 = "stablehlo.add"(%499, %496) : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
    %501 = "stablehlo.convert"(%lr) : (tensor<f64>) -> tensor<f32>
    %502 = "stablehlo.broadcast_in_dim"(%501) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<8x4xf32>
    %503 = "stablehlo.multiply"(%502, %500) : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
    %504 = "stablehlo.subtract"(%proj_0_weight, %503) : (tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
    %505 = "stablehlo.constant"() { value = dense<0.8999999761581421> : tensor<f32> } : () -> tensor<f32>
    %506 = "stablehlo.broadcast_in_dim"(%505) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<8xf32>
    %507 = "stablehlo.multiply"(%506, %momentum_proj_0_bias) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %508 = "stablehlo.add"(%507, %380) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %509 = "stablehlo.convert"(%lr) : (tensor<f64>) -> tensor<f32>
    %510 = "stablehlo.broadcast_in_dim"(%509) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<8xf32>
    %511 = "stablehlo.multiply"(%510, %508) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %512 = "stablehlo.subtract"(%proj_0_bias, %511) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %513 = "stablehlo.constant"() { value = dense<0.8999999761581421> : tensor<f32> } : () -> tensor<f32>
    %514 = "stablehlo.broadcast_in_dim"(%513) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<8xf32>
    %515 = "stablehlo.multiply"(%514, %momentum_proj_1_weight) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %516 = "stablehlo.add"(%515, %373) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %517 = "stablehlo.convert"(%lr) : (tensor<f64>) -> tensor<f32>
    %518 = "stablehlo.broadcast_in_dim"(%517) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<8xf32>
    %519 = "stablehlo.multiply"(%518, %516) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %520 = "stablehlo.subtract"(%proj_1_weight, %519) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %521 = "stablehlo.constant"() { value = dense<0.8999999761581421> : tensor<f32> } : () -> tensor<f32>
    %522 = "stablehlo.broadcast_in_dim"(%521) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<8xf32>
    %523 = "stablehlo.multiply"(%522, %momentum_proj_1_bias) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %524 = "stablehlo.add"(%523, %375) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %525 = "stablehlo.convert"(%lr) : (tensor<f64>) -> tensor<f32>
    %526 = "stablehlo.broadcast_in_dim"(%525) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<8xf32>
    %527 = "stablehlo.multiply"(%526, %524) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %528 = "stablehlo.subtract"(%proj_1_bias, %527) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %529 = "stablehlo.constant"() { value = dense<9.999999747378752e-05> : tensor<f32> } : () -> tensor<f32>
    %530 = "stablehlo.broadcast_in_dim"(%529) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x8xf32>
    %531 = "stablehlo.multiply"(%530, %proj_3_weight) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %532 = "stablehlo.add"(%323, %531) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %533 = "stablehlo.constant"() { value = dense<0.8999999761581421> : tensor<f32> } : () -> tensor<f32>
    %534 = "stablehlo.broadcast_in_dim"(%533) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x8xf32>
    %535 = "stablehlo.multiply"(%534, %momentum_proj_3_weight) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %536 = "stablehlo.add"(%535, %532) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %537 = "stablehlo.convert"(%lr) : (tensor<f64>) -> tensor<f32>
    %538 = "stablehlo.broadcast_in_dim"(%537) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x8xf32>
    %539 = "stablehlo.multiply"(%538, %536) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %540 = "stablehlo.subtract"(%proj_3_weight, %539) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %541 = "stablehlo.constant"() { value = dense<0.8999999761581421> : tensor<f32> } : () -> tensor<f32>
    %542 = "stablehlo.broadcast_in_dim"(%541) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4xf32>
    %543 = "stablehlo.multiply"(%542, %momentum_proj_3_bias) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %544 = "stablehlo.add"(%543, %316) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %545 = "stablehlo.convert"(%lr) : (tensor<f64>) -> tensor<f32>
    %546 = "stablehlo.broadcast_in_dim"(%545) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4xf32>
    %547 = "stablehlo.multiply"(%546, %544) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %548 = "stablehlo.subtract"(%proj_3_bias, %547) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    "stablehlo.return"(%233, %476, %484, %492, %504, %512, %520, %528, %540, %548, %472, %480, %488, %500, %508, %516, %524, %536, %544, %48, %53, %55, %131, %136, %138) : (tensor<f32>, tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<8x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<8x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<i64>, tensor<8xf32>, tensor<8xf32>, tensor<i64>) -> ()
  }
}

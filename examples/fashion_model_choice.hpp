// The model the Fashion-MNIST firmware and the host classifier embed: a space type, an input
// shape and an architecture of that space. export_fashion_mnist trains, quantises and exports it;
// classify_fashion_mnist checks at compile time that the exported program is the one
// deploy::fixed_of compiles from these three.
#pragma once

#include <array>

#include <nascent/core/shape.hpp>
#include <nascent/ops/batch_norm.hpp>
#include <nascent/ops/conv2d.hpp>
#include <nascent/ops/dense.hpp>
#include <nascent/ops/flatten.hpp>
#include <nascent/ops/max_pool2d.hpp>
#include <nascent/ops/relu.hpp>
#include <nascent/space/elastic.hpp>
#include <nascent/space/sequential.hpp>

namespace fashion_choice {

template <int Width>
using conv3x3 = nascent::conv2d<Width, 3>;

/// Two 3x3 convolutions of chosen widths and a classifier.
using space = nascent::sequential<nascent::elastic_width<conv3x3, 8, 16, 24>, nascent::batch_norm, nascent::relu,
                                  nascent::max_pool2d<2>, nascent::elastic_width<conv3x3, 16, 32>, nascent::batch_norm,
                                  nascent::relu, nascent::max_pool2d<2>, nascent::flatten, nascent::dense<10>>;

inline constexpr nascent::shape input{28, 28, 1};

/// Widths 16 and 32: the reference CNN of train_fashion_mnist.
inline constexpr std::array<int, 2> architecture{1, 1};

inline constexpr const char* space_name = "fashion_choice::space (two 3x3 convolutions of elastic width, a dense classifier)";

} // namespace fashion_choice

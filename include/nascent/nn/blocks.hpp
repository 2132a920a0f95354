// nascent/nn/blocks.hpp - the training interpreters of the ops and combinators the blocks add.
//
// channel_shuffle, branches, channel_split, asymmetric_conv2d and dilated_depthwise_conv2d;
// with nn/supernet.hpp (the ops and the space combinators) every block of
// nascent/blocks/ and every space of nascent/zoo/ can be instantiated with nn::model.
// The zoo headers include both.
#pragma once

#include "nascent/nn/asymmetric_conv2d.hpp"
#include "nascent/nn/branches.hpp"
#include "nascent/nn/channel_shuffle.hpp"
#include "nascent/nn/channel_split.hpp"
#include "nascent/nn/concat.hpp"
#include "nascent/nn/dilated_depthwise_conv2d.hpp"

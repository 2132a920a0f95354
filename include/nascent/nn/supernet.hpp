// nascent/nn/supernet.hpp - the training interpreter of every space combinator.
//
// Include this to instantiate nn::model<Space> for a space with decisions:
// choice, optional, repeat, elastic_width, elastic_kernel, cell and early exits, besides the
// ops and sequential / residual. The forward pass follows the context's
// sampling mode (nn/context.hpp); model::derive() reads the architecture of
// largest alphas, model::architecture_parameters() lists the alphas.
#pragma once

#include "nascent/nn/activation.hpp"
#include "nascent/nn/architecture_weights.hpp"
#include "nascent/nn/batch_norm.hpp"
#include "nascent/nn/cell.hpp"
#include "nascent/nn/choice.hpp"
#include "nascent/nn/conv2d.hpp"
#include "nascent/nn/dense.hpp"
#include "nascent/nn/early_exit.hpp"
#include "nascent/nn/elastic.hpp"
#include "nascent/nn/elementwise.hpp"
#include "nascent/nn/mixing.hpp"
#include "nascent/nn/model.hpp"
#include "nascent/nn/pooling.hpp"
#include "nascent/nn/repeat.hpp"
#include "nascent/nn/sequential.hpp"
#include "nascent/space/architecture.hpp"
#include "nascent/space/check.hpp"

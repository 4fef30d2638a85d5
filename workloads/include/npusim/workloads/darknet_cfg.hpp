// The Darknet .cfg importer: reads the sections of a darknet network definition and builds
// them with DarknetBuilder (the same implementation of darknet's semantics as the zoo's
// darknet networks).
//
// Sections: [net] (width, height, channels; training keys ignored), [convolutional]
// (filters, size, stride, pad, padding, groups, dilation, batch_normalize, activation),
// [maxpool] (size, stride, padding), [avgpool], [route] (layers, groups, group_id),
// [shortcut] (from, activation), [upsample] (stride), [connected] (output, activation),
// [softmax], [dropout], [yolo] / [Gaussian_yolo] / [region] / [detection] / [cost]
// (outputs: no compute). Values are read as darknet reads them: the first of a repeated key
// (a warning on stderr), numbers as atoi, training-only keys ignored (docs/network-format.md
// lists them). Any other section, and any key a section does not know, is an error naming
// the file, line and what is supported: nothing is skipped silently.
#pragma once

#include <string>

#include "npusim/workloads/graph.hpp"
#include "npusim/workloads/network_io.hpp"

namespace npusim::workloads {

/// Throws NetworkInputError "FILE:LINE: ..." for anything it cannot import.
Graph network_from_darknet_cfg(const std::string& text, const std::string& source, const LoadOptions& options = {});

}  // namespace npusim::workloads

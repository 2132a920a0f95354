// firmware.hpp - the chosen model's Cortex-M4 firmware, built and run at the end of a job.
//
//   const firmware_figures f = build_and_run_firmware(j, "model", d, meta);   // after its header is written
//   if (f.images > 0) ...;   // f.text, f.high_water, f.instructions_per_inference, f.agreeing (folder.hpp)
//
// When the program was built with the cross compiler (arm-none-eabi-g++) and QEMU, this writes
// <out>/firmware/: the first --firmware-images test images as a header, an adapter to the exported
// models/<name>.hpp, and the firmware examples/firmware/classify.cpp over them, cross-compiled with
// the flags of cmake/NascentFirmware.cmake; then runs it in QEMU (mps2-an386) under the
// instruction-counting plugin, and reads back its predictions, its arena high-water mark and the
// instructions between its markers. The host's int8 program classifies the same images through the
// same pixel table, so the predictions must agree image for image. Throws job_error when a tool
// fails, naming the step and the file holding its output (the job logs it and keeps the model).
#pragma once

#include <cstddef>
#include <string>

#include <nascent/deploy/build.hpp>
#include <nascent/deploy/export.hpp>

#include "job.hpp"

namespace nascent_search {

/// Whether this program can build and run firmware (built with the cross compiler and QEMU).
bool firmware_available();

/// Builds and runs the firmware of models/<name>.hpp (see above); j.options.firmware_images images.
firmware_figures build_and_run_firmware(job& j, const std::string& name, const nascent::deploy::build_result& d,
                                        const nascent::deploy::model_metadata& meta);

} // namespace nascent_search

// Reading the data a model needs: CSV columns or HDF5 datasets, by role.
#pragma once

#include <string>

#include "config.hpp"
#include "model.hpp"

namespace pure_fit {

/// The model's roles read from config.data_file (CSV: a header row of column
/// names, then numbers; HDF5: one dataset per role), as f64 arrays. Throws
/// ConfigError naming the file and the column or dataset.
Dataset read_data(const Config& config, const FitModel& model);

}  // namespace pure_fit

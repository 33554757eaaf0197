//! Estimates from activations someone already extracted: an `.npz` with
//! `za`, `zb` (N×C, float32/float64) and `factor` (N, 0/1) for one layer, or
//! `<layer>/za`, `<layer>/zb`, `<layer>/factor` for several.
//!
//! Rows are streamed from the archive in chunks (stored or deflated entries),
//! so memory is O(chunk × C), not O(N × C).

use crate::npz::NpzArchive;
use crate::report::{LayerReport, ModelReport, Report, ReportSettings, Warning};
use crate::stats::{BootstrapConfig, Factor, LayerAccumulator, PairBatch, StatsError, UnitConfig};
use anyhow::Context as _;
use std::path::Path;

/// Options of [`estimate_npz`].
#[derive(Clone, Debug)]
pub struct EstimateOptions {
    /// Unit-category threshold τ.
    pub threshold: f64,
    /// Bootstrap replicates and seed.
    pub bootstrap: BootstrapConfig,
    /// The channel evidence kept per layer (top windows, pair sample,
    /// per-channel replicates).
    pub units: UnitConfig,
    /// With `true`, a layer that fails (NaN, too few pairs, …) is left out
    /// and listed in the report's warnings; with `false` it fails the whole run.
    pub keep_going: bool,
    /// Values read per chunk (rows × C); bounds memory.
    pub chunk_values: usize,
}

impl Default for EstimateOptions {
    fn default() -> Self {
        Self {
            threshold: 0.5,
            bootstrap: BootstrapConfig::default(),
            units: UnitConfig::default(),
            keep_going: false,
            chunk_values: 1 << 20,
        }
    }
}

/// Where one layer's three arrays are in the archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerArrays {
    /// Layer name.
    pub layer: String,
    /// Array name of member 1.
    pub za: String,
    /// Array name of member 2.
    pub zb: String,
    /// Array name of the factors.
    pub factor: String,
}

/// Finds the layers in an archive's array names, in archive order. Names that
/// belong to no layer are returned second (the caller warns about them).
pub fn find_layers(names: &[String], single_layer_name: &str) -> (Vec<LayerArrays>, Vec<String>) {
    let mut order: Vec<String> = Vec::new();
    let mut parts: std::collections::HashMap<String, [bool; 3]> = Default::default();
    let mut ignored = Vec::new();
    for name in names {
        let (prefix, leaf) = match name.rsplit_once('/') {
            Some((p, l)) => (p.to_string(), l),
            None => (String::new(), name.as_str()),
        };
        let k = match leaf {
            "za" => 0,
            "zb" => 1,
            "factor" => 2,
            _ => {
                if !(prefix.is_empty() && leaf == "layer") {
                    ignored.push(name.clone());
                }
                continue;
            }
        };
        if !parts.contains_key(&prefix) {
            order.push(prefix.clone());
        }
        parts.entry(prefix).or_default()[k] = true;
    }
    let layers = order
        .into_iter()
        .map(|prefix| {
            let join = |leaf: &str| {
                if prefix.is_empty() {
                    leaf.to_string()
                } else {
                    format!("{prefix}/{leaf}")
                }
            };
            LayerArrays {
                layer: if prefix.is_empty() {
                    single_layer_name.to_string()
                } else {
                    prefix.clone()
                },
                za: join("za"),
                zb: join("zb"),
                factor: join("factor"),
            }
        })
        .collect();
    (layers, ignored)
}

/// Runs the estimator on every layer of an activations archive. `progress`
/// is called with (layer name, rows done, rows total) as rows stream in.
pub fn estimate_npz(
    path: &Path,
    options: &EstimateOptions,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> anyhow::Result<Report> {
    let mut archive = NpzArchive::open(path)?;
    let names = archive.names();
    // A top-level string array `layer` names the single-layer form.
    let single_name = if names.iter().any(|n| n == "layer") {
        archive
            .read_strings("layer")?
            .into_iter()
            .next()
            .unwrap_or_else(|| "layer".to_string())
    } else {
        "layer".to_string()
    };
    let (layers, ignored) = find_layers(&names, &single_name);
    if layers.is_empty() {
        anyhow::bail!(
            "'{}' holds no activations: expected arrays 'za', 'zb', 'factor' or '<layer>/za', '<layer>/zb', '<layer>/factor' (found: {})",
            path.display(),
            if names.is_empty() {
                "nothing".to_string()
            } else {
                names.join(", ")
            }
        );
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "activations".to_string());
    let mut report = Report::new(ReportSettings {
        command: "estimate".to_string(),
        input: path.display().to_string(),
        threshold: options.threshold,
        bootstrap: options.bootstrap,
    });
    report
        .warnings
        .extend(ignored.into_iter().map(|name| Warning {
            path: format!("{}:{name}", path.display()),
            reason: "array ignored: not za, zb or factor of a layer".to_string(),
        }));
    let mut model = ModelReport::new(stem, None, None);
    for arrays in &layers {
        let result = estimate_layer(&mut archive, arrays, options, progress);
        match result {
            Ok(layer) => model.layers.push(layer),
            Err(e) if options.keep_going => report.warnings.push(Warning {
                path: format!("{}:{}", path.display(), arrays.layer),
                reason: format!("layer left out: {e:#}"),
            }),
            Err(e) => return Err(e),
        }
    }
    report.models.push(model);
    Ok(report)
}

fn estimate_layer(
    archive: &mut NpzArchive,
    arrays: &LayerArrays,
    options: &EstimateOptions,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> anyhow::Result<LayerReport> {
    let layer = arrays.layer.as_str();
    let path = archive.path().to_path_buf();
    let names = archive.names();
    for name in [&arrays.za, &arrays.zb, &arrays.factor] {
        if !names.contains(name) {
            anyhow::bail!(
                "'{}': layer '{layer}' has no array '{name}' (each layer needs za, zb and factor)",
                path.display()
            );
        }
    }
    let (_, codes) = archive.read_i64(&arrays.factor)?;
    let factors = codes
        .iter()
        .enumerate()
        .map(|(row, &code)| {
            Factor::from_code(code).ok_or_else(|| StatsError::BadFactor {
                layer: layer.to_string(),
                row,
                value: code.to_string(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut ra = archive.rows(&arrays.za)?;
    let mut rb = archive.rows(&arrays.zb)?;
    let (n, c) = (ra.rows(), ra.cols());
    if (rb.rows(), rb.cols()) != (n, c) {
        anyhow::bail!(StatsError::ShapeMismatch {
            layer: layer.to_string(),
            what: format!("shape of zb ({}×{}) vs za", rb.rows(), rb.cols()),
            expected: n * c,
            got: rb.rows() * rb.cols(),
        });
    }
    if factors.len() != n {
        anyhow::bail!(StatsError::ShapeMismatch {
            layer: layer.to_string(),
            what: "length of factor vs rows of za".to_string(),
            expected: n,
            got: factors.len(),
        });
    }
    // Before allocating C channels' statistics: a layer the estimator will
    // refuse anyway (no channels, too few pairs), or whose statistics would
    // not fit in memory, fails here.
    let count = |f: Factor| factors.iter().filter(|&&x| x == f).count() as u64;
    LayerAccumulator::check_estimable(layer, c, [count(Factor::Dynamic), count(Factor::Static)])?;
    super::memory::check_statistics_fit(
        &format!("layer '{layer}': {c} channels"),
        LayerAccumulator::memory_bytes(c, options.bootstrap, options.units),
        options.bootstrap.replicates,
        super::available_bytes(),
    )
    .map_err(|e| anyhow::anyhow!("'{}': {e}", path.display()))?;
    let mut acc = LayerAccumulator::with_units(layer, c, options.bootstrap, options.units);
    let chunk = (options.chunk_values / c.max(1)).max(1);
    let (mut za, mut zb) = (Vec::new(), Vec::new());
    let mut done = 0usize;
    while done < n {
        let got = ra.read_rows(chunk, &mut za)?;
        let got_b = rb.read_rows(chunk, &mut zb)?;
        if got == 0 || got != got_b {
            anyhow::bail!(
                "'{}': layer '{layer}': za and zb ended at different rows",
                path.display()
            );
        }
        let ids: Vec<u64> = (done as u64..(done + got) as u64).collect();
        acc.push_batch(PairBatch {
            pair_ids: &ids,
            factors: &factors[done..done + got],
            za: &za,
            zb: &zb,
        })
        .map_err(|e| match e {
            // Rows are numbered within the batch; report them in the file.
            StatsError::NonFinite { layer, rows, first_row, .. } => anyhow::anyhow!(
                "layer '{layer}': {rows} row(s) of rows {done}..{} contain NaN or Inf (first: row {})",
                done + got,
                done + first_row
            ),
            other => other.into(),
        })?;
        done += got;
        progress(layer, done, n);
    }
    let estimate = acc
        .estimate(options.threshold)
        .with_context(|| format!("'{}'", path.display()))?;
    Ok(LayerReport::from_estimate(layer, estimate))
}

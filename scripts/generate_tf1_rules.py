"""Generate the TensorFlow 1.x rules of rules.yaml from tf_upgrade_v2's tables in the installed TF.

`python scripts/generate_tf1_rules.py` rewrites the region of rules.yaml between
`# ==== BEGIN GENERATED` and `# ==== END GENERATED ====`; `--check` exits 1 when that region is
not what the installed TensorFlow generates (CI runs it).

TensorFlow ships its TF1 → TF2 converter's tables in the wheel
(`tensorflow/tools/compatibility`). This script reads them, checks every replacement against
the installed TensorFlow, and turns each API into the rule that fits what happened to it:

- moved to `tf.compat.v1` (a `replace`, or `compat-v1` when the API needs graph mode);
- renamed (`replace`, or a `call` template when the argument order changed too);
- gone, together with the converter's replacement (`manual`, with a successor when one exists);
- renamed keyword arguments (`keyword`);
- a changed argument order (`keyword` with `positional` and `keep`: the TF1 positional arguments
  from the first one that binds differently are passed by keyword; unsafe, since TF 2 code
  passes them in the new order);
- removed arguments, for the calls passing them (`when`): deleted by a `call` template where
  that keeps the behaviour, else the call moves to `tf.compat.v1`; TF1 calls reaching a removed
  parameter positionally move there too (unsafe when TF 2 takes that many arguments);
- behaviour changes the converter only warns about (`manual` TFM7xx rules, with `when` where
  only calls passing some arguments are concerned, or a fix where one keeps the behaviour).

Rules written by hand anywhere else in rules.yaml win: their APIs are skipped here. Codes are
stable: a rule keeps the code it had in the current file, new rules get fresh codes, and codes
of rules that disappear are recorded as retired and never reused.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import sys
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules.yaml"
BEGIN = "  # ==== BEGIN GENERATED"
END = "  # ==== END GENERATED ===="
RETIRED = "  # Retired codes, never reused:"
SINCE = {"tensorflow": "2.0"}
MIGRATE = "[TF 2 migration guide](https://www.tensorflow.org/guide/migrate)"
COMPAT_V1 = "[tf.compat.v1](https://www.tensorflow.org/api_docs/python/tf/compat/v1)"
UPGRADE = "[tf_upgrade_v2](https://www.tensorflow.org/guide/migrate/upgrade)"

# --- what tf_upgrade_v2's tables cannot tell ------------------------------------------------------

METHODS = {
    "*.minimize": "tensorflow.train.Optimizer.minimize",
    "*.compute_gradients": "tensorflow.train.Optimizer.compute_gradients",
    "*.save": "keras.Model.save",
    "*.make_one_shot_iterator": "tensorflow.data.Dataset.make_one_shot_iterator",
    "*.make_initializable_iterator": "tensorflow.data.Dataset.make_initializable_iterator",
}
"""tf_upgrade_v2's `*.name` entries match any method of that name; tfmend names the class."""

UNCHANGED_METHODS = {
    "tensorflow.train.Optimizer.minimize": "minimize",
    "tensorflow.train.Optimizer.compute_gradients": "compute_gradients",
}
"""TF1 optimizer methods whose removed argument is kept where tfmend sends the optimizers."""

GRAPH_MODE = frozenset(
    [
        "placeholder",
        "sparse_placeholder",
        "sparse.placeholder",
        "ragged.placeholder",
        "Session",
        "InteractiveSession",
        "get_default_session",
        "global_variables_initializer",
        "local_variables_initializer",
        "variables_initializer",
        "tables_initializer",
        "initialize_all_variables",
        "initialize_local_variables",
        "initialize_variables",
        "initialize_all_tables",
        "initializers.global_variables",
        "initializers.local_variables",
        "initializers.tables_initializer",
        "initializers.variables",
        "get_variable",
        "get_local_variable",
        "variable_scope",
        "variable_op_scope",
        "get_variable_scope",
        "global_variables",
        "local_variables",
        "all_variables",
        "trainable_variables",
        "model_variables",
        "moving_average_variables",
        "get_collection",
        "get_collection_ref",
        "add_to_collection",
        "add_to_collections",
        "get_default_graph",
        "reset_default_graph",
        "report_uninitialized_variables",
        "is_variable_initialized",
        "assert_variables_initialized",
        "train.Saver",
        "train.import_meta_graph",
        "train.export_meta_graph",
        "train.init_from_checkpoint",
        "train.start_queue_runners",
        "train.queue_runner.start_queue_runners",
        "train.add_queue_runner",
        "train.queue_runner.add_queue_runner",
        "train.string_input_producer",
        "train.input_producer",
        "train.range_input_producer",
        "train.slice_input_producer",
        "train.batch",
        "train.batch_join",
        "train.shuffle_batch",
        "train.shuffle_batch_join",
        "train.maybe_batch",
        "train.maybe_batch_join",
        "train.maybe_shuffle_batch",
        "train.maybe_shuffle_batch_join",
        "train.limit_epochs",
        "train.MonitoredTrainingSession",
        "train.MonitoredSession",
        "train.SingularMonitoredSession",
        "train.Supervisor",
        "train.Scaffold",
        "train.get_or_create_global_step",
        "train.create_global_step",
        "train.get_global_step",
        "train.global_step",
        "summary.FileWriter",
        "summary.merge",
        "summary.merge_all",
        "data.make_one_shot_iterator",
        "data.make_initializable_iterator",
        "data.Iterator",
        "saved_model.simple_save",
        "saved_model.Builder",
        "saved_model.builder.SavedModelBuilder",
        "saved_model.loader.load",
        "saved_model.load",
    ]
)
"""APIs (after `tensorflow.`) that fail or misbehave unless eager execution is disabled."""
GRAPH_MODE_PREFIXES = ("metrics.",)
GRAPH_MODE_PATTERN = re.compile(r"^train\.\w*Optimizer$")


@dataclass(frozen=True)
class CallTemplate:
    """A hand-checked `call` fix, with the example it is shown and tested with."""

    signature: str
    template: str
    example: str
    """The TF1 call's arguments in the example."""
    fixed: str
    """The rewritten call, as tfmend writes it after `import tensorflow as tf` / `import keras`."""
    message: str
    explanation: str
    probe: dict[str, str]


_CAST = (
    "TensorFlow 2 removed the `tf.to_<dtype>` shortcuts. `tf.cast(x, dtype=...)` does the same "
    "conversion; the fix passes the matching dtype and keeps `name=` when the call gave one."
)
_REGULARIZER = (
    "The contrib (and TF-Slim) regularizer factories returned a function computing the penalty "
    "of a weight tensor; Keras regularizers are callable the same way. `l1_regularizer(scale)` "
    "computed `scale * sum(|w|)`, which is `keras.regularizers.L1(scale)`; "
    "`l2_regularizer(scale)` computed `scale * tf.nn.l2_loss(w) = scale * sum(w²) / 2`, which is "
    "`keras.regularizers.L2(0.5 * scale)`. The probe compares the two formulas. `scope=` is "
    "dropped: it only named the op."
)
_WEIGHTS = "w = np.array([[1.0, -2.0], [3.0, 0.5]], dtype='float32')"

TEMPLATES: dict[str, CallTemplate] = {
    **{
        f"tensorflow.to_{name}": CallTemplate(
            signature=f"x, name='To{name.capitalize()}'",
            template=f"tensorflow.cast({{x}}, dtype=tensorflow.{dtype}, name={{name?}})",
            example="labels",
            fixed=f"tf.cast(labels, dtype=tf.{dtype})",
            message="`{name}` ({api}) was removed in TensorFlow 2; use `tf.cast`",
            explanation=_CAST,
            probe={
                "setup": "x = np.arange(6, dtype='int32')",
                "old": f"tf.compat.v1.to_{name}(x)",
                "new": f"tf.cast(x, dtype=tf.{dtype})",
            },
        )
        for name, dtype in (
            ("bfloat16", "bfloat16"),
            ("complex128", "complex128"),
            ("complex64", "complex64"),
            ("double", "float64"),
            ("float", "float32"),
            ("int32", "int32"),
            ("int64", "int64"),
        )
    },
    "tensorflow.contrib.layers.l1_regularizer": CallTemplate(
        signature="scale, scope=None",
        template="keras.regularizers.L1({scale})",
        example="0.01",
        fixed="keras.regularizers.L1(0.01)",
        message="`{name}` ({api}) was removed in TensorFlow 2; use `keras.regularizers.L1`",
        explanation=_REGULARIZER,
        probe={
            "setup": _WEIGHTS,
            "old": "0.1 * tf.reduce_sum(tf.abs(w))",
            "new": "keras.regularizers.L1(0.1)(w)",
        },
    ),
    "tensorflow.contrib.layers.l2_regularizer": CallTemplate(
        signature="scale, scope=None",
        template="keras.regularizers.L2(0.5 * {scale})",
        example="0.01",
        fixed="keras.regularizers.L2(0.5 * 0.01)",
        message="`{name}` ({api}) was removed in TensorFlow 2; use `keras.regularizers.L2`",
        explanation=_REGULARIZER,
        probe={
            "setup": _WEIGHTS,
            "old": "0.1 * tf.nn.l2_loss(w)",
            "new": "keras.regularizers.L2(0.5 * 0.1)(w)",
        },
    ),
}
"""Hand-checked call templates, by API."""
TEMPLATE_ALIASES = {
    "tensorflow.contrib.slim.l1_regularizer": "tensorflow.contrib.layers.l1_regularizer",
    "tensorflow.contrib.slim.l2_regularizer": "tensorflow.contrib.layers.l2_regularizer",
}

REPLACE_OVERRIDES: dict[str, tuple[str, str | None]] = {
    "tensorflow.contrib.cluster_resolver.UnionClusterResolver": (
        "tensorflow.distribute.cluster_resolver.UnionResolver",
        None,
    ),
    "keras.layers.CuDNNGRU": (
        "keras.layers.GRU",
        "the cuDNN layers store their weights in another layout, so saved weights need converting,"
        " and `keras.layers.GRU` only uses the cuDNN kernel with its default arguments",
    ),
    "keras.layers.CuDNNLSTM": (
        "keras.layers.LSTM",
        "the cuDNN layers store their weights in another layout, so saved weights need converting,"
        " and `keras.layers.LSTM` only uses the cuDNN kernel with its default arguments",
    ),
    "keras.initializers.uniform": (
        "keras.initializers.RandomUniform",
        "Keras 3 initializers take no `dtype=` argument; drop it if the call passes one",
    ),
    "keras.initializers.normal": (
        "keras.initializers.RandomNormal",
        "Keras 3 initializers take no `dtype=` argument; drop it if the call passes one",
    ),
}
"""Better replacements than tf_upgrade_v2's, which no longer exist (target, unsafe reason)."""

EXTRA_RENAMES = {
    "tensorflow.flags": "tensorflow.compat.v1.flags",
    "tensorflow.image.resize_images": "tensorflow.compat.v1.image.resize_images",
    **{
        f"tensorflow.summary.{op}": f"tensorflow.compat.v1.summary.{op}"
        for op in ("audio", "histogram", "image", "scalar", "text")
    },
}
"""Where tfmend sends an API instead of (or where) tf_upgrade_v2 has no rename."""
EXTRA_NOTES = {
    "tensorflow.image.resize_images": ("resize-v1-numerics",),
    "tensorflow.image.resize": ("image-resize-v2",),
    "tensorflow.gradients": ("graph-gradients",),
    "tensorflow.hessians": ("graph-gradients",),
    "tensorflow.autograph.to_code": ("autograph-arguments",),
    "tensorflow.autograph.to_graph": ("autograph-arguments",),
}
"""Notes tfmend adds where tf_upgrade_v2 says nothing (or only about one argument)."""

TF_SPELLING = ("keras.initializers.",)
_SENTINELS = frozenset({"keyword_required", "_sentinel"})
"""TF1 placeholder parameters that forced keyword arguments; never passed on purpose."""
"""Keras APIs whose rule names the `tf.keras` spelling: the same names are fine in Keras 3 code."""

UNNECESSARY = {
    "tensorflow.nn.max_pool": "`tf.nn.max_pool` still exists as the N-D pooling op and takes the "
    "TF 1.x positional arguments; only the `value=` keyword needs renaming",
    "tensorflow.nn.avg_pool": "`tf.nn.avg_pool` still exists as the N-D pooling op and takes the "
    "TF 1.x positional arguments; only the `value=` keyword needs renaming",
    "tensorflow.space_to_batch_nd": "`tf.space_to_batch_nd` still exists with the same arguments",
    "tensorflow.nn.space_to_batch": "`tf.nn.space_to_batch` is the same function as "
    "`tf.space_to_batch` in TF 2.21; only calls passing TF1's `block_size` need changing",
}
"""Renames tf_upgrade_v2 makes although the old name still works in TF 2.21."""

SUCCESSORS = {
    "tensorflow.nn.rnn_cell.BasicLSTMCell": "Use `keras.layers.LSTMCell(units)` inside "
    "`keras.layers.RNN`, or `keras.layers.LSTM` for a whole sequence.",
    "tensorflow.nn.rnn_cell.LSTMCell": "Use `keras.layers.LSTMCell(units)`; peepholes and "
    "projections have no Keras equivalent.",
    "tensorflow.nn.rnn_cell.GRUCell": "Use `keras.layers.GRUCell(units, reset_after=False)`, "
    "which keeps TF1's gate formula.",
    "tensorflow.nn.rnn_cell.BasicRNNCell": "Use `keras.layers.SimpleRNNCell(units)`.",
    "tensorflow.nn.rnn_cell.MultiRNNCell": "Use `keras.layers.StackedRNNCells(cells)`.",
    "tensorflow.nn.rnn_cell.DropoutWrapper": "Pass `dropout=` and `recurrent_dropout=` to the "
    "Keras cell.",
    "tensorflow.nn.rnn_cell.ResidualWrapper": "Add the cell's input to its output in a custom "
    "cell.",
    "tensorflow.nn.rnn_cell.DeviceWrapper": "Build the cell under `with tf.device(...)`.",
    "tensorflow.nn.rnn_cell.RNNCell": "Subclass `keras.layers.Layer` with a `state_size` "
    "attribute and `call(inputs, states)`.",
    "tensorflow.nn.rnn_cell.LSTMStateTuple": "Use a list `[h, c]`, the state format of "
    "`keras.layers.LSTMCell`.",
    "tensorflow.layers.BatchNormalization": "Use `keras.layers.BatchNormalization`; pass "
    "`training=` when calling it, there are no `UPDATE_OPS` to run.",
    "tensorflow.layers.batch_normalization": "Use `keras.layers.BatchNormalization()(x, "
    "training=...)`; there are no `UPDATE_OPS` to run.",
    "tensorflow.tpu.experimental.AdagradParameters": "Use `tf.tpu.experimental.embedding.Adagrad`.",
    "tensorflow.tpu.experimental.AdamParameters": "Use `tf.tpu.experimental.embedding.Adam`.",
    "tensorflow.tpu.experimental.FtrlParameters": "Use `tf.tpu.experimental.embedding.FTRL`.",
    "tensorflow.tpu.experimental.StochasticGradientDescentParameters": "Use "
    "`tf.tpu.experimental.embedding.SGD`.",
    "tensorflow.contrib.data.CheckpointInputPipelineHook": "Save the iterator in a "
    "`tf.train.Checkpoint(iterator=iterator)`.",
    "tensorflow.contrib.data.StatsAggregator": "Use the TensorBoard profiler's `tf.data` view.",
    "tensorflow.contrib.data.set_stats_aggregator": "Use the TensorBoard profiler's `tf.data` "
    "view.",
    "tensorflow.contrib.data.latency_stats": "Use the TensorBoard profiler's `tf.data` view.",
    "tensorflow.contrib.data.assert_element_shape": "Use `dataset.map(lambda x: "
    "tf.ensure_shape(x, shape))`.",
    "tensorflow.contrib.saved_model.load_keras_model": "Use `keras.models.load_model(path)` for "
    "a `.keras` file, or `keras.layers.TFSMLayer(path)` for a SavedModel.",
    "tensorflow.contrib.saved_model.save_keras_model": 'Use `model.save(path + ".keras")`, or '
    "`model.export(path)` for a SavedModel.",
    "keras.backend.get_session": "Keras 3 has no sessions: run TF1 graph code with "
    "`tf.compat.v1.Session`, or install `tf-keras` and set `TF_USE_LEGACY_KERAS=1`.",
    "keras.backend.set_session": "Keras 3 has no sessions: delete the call, or install "
    "`tf-keras` and set `TF_USE_LEGACY_KERAS=1`.",
    "keras.layers.disable_v2_dtype_behavior": "Delete the call: Keras 3 layers always cast "
    "inputs to their dtype policy.",
    "keras.layers.enable_v2_dtype_behavior": "Delete the call: it is Keras 3's only behaviour.",
    "keras.models.LinearModel": "Use a `keras.layers.Dense` layer on the concatenated features, "
    "or `tf_keras.experimental.LinearModel` with `TF_USE_LEGACY_KERAS=1`.",
    "keras.models.WideDeepModel": "Build a functional Keras model joining a linear and a deep "
    "branch, or use `tf_keras.experimental.WideDeepModel` with `TF_USE_LEGACY_KERAS=1`.",
    "keras.utils.DeterministicRandomTestTool": "Use `tf_keras.utils.DeterministicRandomTestTool` "
    "with `TF_USE_LEGACY_KERAS=1`.",
    "keras.utils.get_or_create_layer": "Create the layer once, in `__init__` of a Keras layer or "
    "model.",
    "keras.utils.track_tf1_style_variables": "Write a Keras layer that creates its weights with "
    "`add_weight` (or use `tf_keras` with `TF_USE_LEGACY_KERAS=1`).",
    "keras.experimental.export_saved_model": "Use `model.export(path)`, or "
    "`tf.saved_model.save(model, path)`.",
    "keras.experimental.load_from_saved_model": "Use `keras.layers.TFSMLayer(path)` or "
    "`tf.saved_model.load(path)`.",
    "tensorflow.pywrap_tensorflow": "Use the public API: `tf.train.load_checkpoint` instead of "
    "`pywrap_tensorflow.NewCheckpointReader`, `tf.errors` for error classes.",
    "tensorflow.contrib.layers.layer_norm": "Use `keras.layers.LayerNormalization(epsilon=1e-12)`"
    " (Keras' default epsilon is 1e-3).",
    "tensorflow.contrib.layers.xavier_initializer": "Use `keras.initializers.GlorotUniform(seed)`,"
    " or `keras.initializers.GlorotNormal(seed)` for `uniform=False`.",
    "tensorflow.contrib.layers.xavier_initializer_conv2d": "Use "
    "`keras.initializers.GlorotUniform(seed)`, or `keras.initializers.GlorotNormal(seed)` for "
    "`uniform=False`.",
    "tensorflow.contrib.layers.variance_scaling_initializer": "Use "
    '`keras.initializers.VarianceScaling(scale=factor, mode=mode.lower(), distribution="uniform"'
    ' if uniform else "truncated_normal", seed=seed)`; contrib\'s default `factor` is 2.0, '
    "Keras' `scale` is 1.0.",
    "tensorflow.contrib.layers.poincare_normalize": "Port its few lines "
    "(`x / max(norm(x), 1 - epsilon)` along `axis`).",
    "tensorflow.contrib.layers.maxout": "Use `keras.ops.max(keras.ops.reshape(x, (..., units, "
    "k)), axis=-1)`.",
    "tensorflow.contrib.layers.group_norm": "Use `keras.layers.GroupNormalization(groups)`.",
    "tensorflow.contrib.layers.instance_norm": "Use `keras.layers.GroupNormalization(groups=-1)`.",
    "tensorflow.contrib.sparsemax.sparsemax": "Use `keras.activations.sparsemax`.",
    "tensorflow.contrib.opt.LazyAdamOptimizer": "Use `keras.optimizers.Adam` (dense updates).",
    "tensorflow.contrib.opt.MovingAverageOptimizer": "Use any Keras optimizer with `use_ema=True`.",
    "tensorflow.contrib.opt.MomentumWOptimizer": "Use `keras.optimizers.SGD(momentum=..., "
    "weight_decay=...)`.",
    "tensorflow.contrib.opt.AdamWOptimizer": "Use `keras.optimizers.AdamW`.",
    "tensorflow.contrib.opt.extend_with_decoupled_weight_decay": "Use the `weight_decay=` "
    "argument of Keras optimizers.",
    "tensorflow.contrib.image.dense_image_warp": "Use `keras.ops.image.map_coordinates` with the "
    "flow added to a coordinate grid.",
    "tensorflow.contrib.image.adjust_hsv_in_yiq": "Use `tf.image.adjust_hue` and "
    "`tf.image.adjust_saturation` (HSV instead of YIQ).",
    "tensorflow.contrib.image.random_hsv_in_yiq": "Use `keras.layers.RandomHue` and "
    "`keras.layers.RandomSaturation`.",
    "tensorflow.contrib.image.compose_transforms": "Multiply the 3×3 matrices of the transforms.",
    "tensorflow.contrib.image.angles_to_projective_transforms": "Build the rotation matrix by "
    "hand for `keras.ops.image.affine_transform`.",
    "tensorflow.contrib.image.matrices_to_flat_transforms": "Flatten the first 8 entries of each "
    "normalized 3×3 matrix.",
    "tensorflow.contrib.image.rotate": "Use `keras.layers.RandomRotation` for augmentation, or "
    "`keras.ops.image.affine_transform` with a rotation matrix.",
    "tensorflow.contrib.image.transform": "Use `keras.ops.image.affine_transform` (same 8-number "
    "transforms).",
    **dict.fromkeys(
        (
            "tensorflow.contrib.sparsemax.sparsemax_loss",
            "tensorflow.contrib.losses.metric_learning.contrastive_loss",
            "tensorflow.contrib.losses.metric_learning.lifted_struct_loss",
            "tensorflow.contrib.losses.metric_learning.triplet_semihard_loss",
            "tensorflow.contrib.text.skip_gram_sample",
            "tensorflow.contrib.text.skip_gram_sample_with_text_vocab",
        ),
        "Port it into your project: TF Addons, which kept it, is end of life.",
    ),
}
"""What to use instead, for APIs that are gone together with tf_upgrade_v2's replacement."""

# The warning families of tf_upgrade_v2, told in our own words: (key, matcher) in match order.
WARNING_KEYS: tuple[tuple[str, Callable[[str, str], bool]], ...] = (
    ("keras-save-format", lambda api, m: "saves a tf.Keras model" in m),
    ("assert-v1", lambda api, m: "changed to return None" in m),
    ("keras-export", lambda api, m: "export_saved_model" in m),
    ("contrib-summary", lambda api, m: "contrib.summary" in m),
    ("lr-decay", lambda api, m: "decay schedules" in m),
    ("partition-strategy", lambda api, m: "partition_strategy" in m),
    ("initializer-dtype", lambda api, m: "no longer have the dtype" in m),
    ("v1-losses", lambda api, m: "tf.losses have been replaced" in m),
    ("v1-metrics", lambda api, m: "tf.metrics have been replaced" in m),
    ("resource-variables", lambda api, m: "ResourceVariables" in m),
    ("pywrap", lambda api, m: "pywrap_tensorflow" in m),
    ("distribute-strategy", lambda api, m: "Strategy" in m),
    ("v1-summary", lambda api, m: "summary API cannot be automatically" in m),
    ("saved-model-load", lambda api, m: "saved_model.load works differently" in m),
    ("addons", lambda api, m: "TensorFlow Addons" in m),
    ("layer-norm", lambda api, m: "layer_norm" in m),
    ("flags", lambda api, m: "flags have been removed" in m),
    ("contrib", lambda api, m: "tf.contrib will not" in m),
    ("contrib-rnn", lambda api, m: "contrib.rnn" in m or "cudnn_rnn" in m),
    ("contrib-distribute", lambda api, m: "contrib.distribute" in m),
    ("contrib-seq2seq", lambda api, m: "seq2seq" in m),
)

TRANSFORMER_KEYS = {
    "_iterator_transformer": "dataset-iterators",
    "_dropout_transformer": "dropout-keep-prob",
    "_softmax_cross_entropy_with_logits_transformer": "softmax-labels-gradient",
    "_extract_glimpse_transformer": "glimpse-noise",
    "_image_resize_transformer": "resize-v1-numerics",
    "_pool_seed_transformer": "fractional-pool-seed",
    "_name_scope_transformer": "name-scope",
    "_string_split_rtype_transformer": "strings-split-ragged",
    "_contrib_layers_xavier_initializer_transformer": "contrib-initializers",
    "_contrib_layers_variance_scaling_initializer_transformer": "contrib-initializers",
    "_add_uniform_scaling_initializer_transformer": "uniform-unit-scaling",
    "_add_summary_step_transformer": "contrib-summary",
    "_add_summary_recording_cond_transformer": "contrib-summary",
}
ARGUMENT_TRANSFORMERS = {
    "tensorflow.device": "device-function",
    "tensorflow.while_loop": "while-loop-structure",
    "tensorflow.nn.ctc_beam_search_decoder": "ctc-merge-repeated",
    "tensorflow.nn.dilation2d": "morphology-data-format",
    "tensorflow.nn.erosion2d": "morphology-data-format",
    "keras.models.save_model": "keras-save-format",
}
TRANSFORMER_ARGUMENTS = {
    "tensorflow.device": "device_name",
    "tensorflow.zeros_like": "optimize",
    "tensorflow.ones_like": "optimize",
    "tensorflow.while_loop": "return_same_structure",
    "tensorflow.nn.ctc_beam_search_decoder": "merge_repeated",
}
"""The argument whose presence makes tf_upgrade_v2 rewrite the call (to `tf.compat.v1`)."""
ARGUMENT_WARNING_KEYS = {
    "strict": "cond-strict",
    "align_corners": "align-corners",
}
"""Notes for removed arguments that the fix keeps through `tf.compat.v1`."""


@dataclass(frozen=True)
class Note:
    """Our text for one kind of tf_upgrade_v2 warning or transformation."""

    name: str
    severity: str
    message: str
    text: str


NOTES = {
    n.name: n
    for n in (
        Note(
            "keras-save-format",
            "warning",
            "`{name}` ({api}): Keras 3 chooses the file format from the file name and no longer "
            "writes a SavedModel directory",
            "Keras 2 in TensorFlow 2.x saved a model as a SavedModel directory by default and took "
            '`save_format=`; `tf_upgrade_v2` adds `save_format="h5"`. Keras 3\'s `save` and '
            "`keras.models.save_model` take a file name ending in `.keras` (recommended) or `.h5` "
            'and reject other paths and `save_format=`. Use `model.save("model.keras")`; to '
            "export a SavedModel for serving, call `model.export(path)`.",
        ),
        Note(
            "assert-v1",
            "warning",
            "`{name}` ({api}) returns nothing in TensorFlow 2 and takes no `data=` argument",
            "The TF 2 assertions raise immediately when run eagerly and return `None`; in graph "
            "mode they still return an op, but no longer take `data=` (the tensors printed on "
            "failure) and take `message=` before `summarize=`. TF1 code that adds the returned op "
            "to `tf.control_dependencies` or passes `data=` needs the `tf.compat.v1` version.",
        ),
        Note(
            "keras-export",
            "error",
            "`{name}` ({api}) was removed; save Keras models with `model.save` or `model.export`",
            "The experimental SavedModel export functions of Keras 2 are gone in Keras 3. "
            "Save with "
            '`model.save("model.keras")` and load with `keras.models.load_model`; export a '
            "SavedModel for serving with `model.export(path)`.",
        ),
        Note(
            "contrib-summary",
            "error",
            "`{name}` ({api}) was removed; use the TF 2 `tf.summary` API",
            "The `tf.contrib.summary` functions became the TF 2 `tf.summary` API: writes need a "
            "default writer (`with writer.as_default():`) and a `step=`, `family=` is gone, "
            "`generic` is `tf.summary.write` with `tag=` and `tensor=`→`data=`, and the "
            "`*_record_summaries` functions are `tf.summary.record_if(condition)`.",
        ),
        Note(
            "lr-decay",
            "info",
            "`{name}` ({api}) is a TF1 learning-rate decay function; TF 2 uses schedule objects",
            "The TF1 decay functions compute a tensor from `global_step` in the graph. With Keras "
            "optimizers, pass a schedule from `keras.optimizers.schedules` "
            "(`ExponentialDecay`, `PiecewiseConstantDecay`, `PolynomialDecay`, `CosineDecay`, "
            "`CosineDecayRestarts`, `InverseTimeDecay`) as `learning_rate=`; it is called with the "
            "optimizer's iteration count.",
        ),
        Note(
            "partition-strategy",
            "info",
            "`{name}` ({api}) lost its `partition_strategy=` argument in TensorFlow 2",
            'TF 2 always shards embedding lookups with the `"div"` strategy. Calls passing '
            '`partition_strategy="mod"` (the TF1 default) with a sharded parameter list look up '
            "different rows; calls with a single parameter tensor are unaffected. Remove the "
            'argument, and re-shard the variables if you used `"mod"`.',
        ),
        Note(
            "initializer-dtype",
            "error",
            "`{name}` ({api}): TF 2 initializers take no `dtype=` in the constructor",
            "TF1 initializers took `dtype=` when constructed and `partition_info=` when called. "
            "TF 2 "
            "(and Keras 3) initializers take the dtype when called, `init(shape, dtype=...)`, and "
            "reject both TF1 arguments. Remove `dtype=` from the constructor and pass it to the "
            "call if needed, or use the `tf.compat.v1` initializer in graph-mode code.",
        ),
        Note(
            "v1-losses",
            "info",
            "`{name}` ({api}) is a TF1 loss function; TF 2 uses Keras loss objects",
            "`tf.compat.v1.losses` keeps the TF1 functions, which also add the loss to the "
            "`LOSSES` "
            "collection. For TF 2 code use `keras.losses` objects (`MeanSquaredError`, "
            "`CategoricalCrossentropy(from_logits=True)`, ...), which reduce to the batch mean.",
        ),
        Note(
            "v1-metrics",
            "info",
            "`{name}` ({api}) is a TF1 streaming metric; TF 2 uses Keras metric objects",
            "`tf.compat.v1.metrics` keeps the graph-mode functions that return "
            "`(value, update_op)` "
            "pairs backed by local variables. For TF 2 code use `keras.metrics` objects with "
            "`update_state`, `result` and `reset_state`.",
        ),
        Note(
            "resource-variables",
            "info",
            "`{name}` ({api}) creates resource variables in TensorFlow 2",
            "TF 2 variables are resource variables, with well-defined read-after-write semantics "
            "and strict shapes. Code relying on the old reference variables can pass "
            "`use_resource=False` or call `tf.compat.v1.disable_resource_variables()`.",
        ),
        Note(
            "pywrap",
            "error",
            "`{name}` ({api}) is not part of TensorFlow 2's API",
            "`tf.pywrap_tensorflow` exposed TensorFlow's C++ bindings and is not shipped in TF 2.",
        ),
        Note(
            "distribute-strategy",
            "info",
            "`{name}` ({api}) changed its constructor and methods in TensorFlow 2",
            "The distribution strategies changed between TF 1.x and 2: "
            "`make_dataset_iterator` is `experimental_distribute_dataset`, "
            "`extended.call_for_each_replica` is `run`, `unwrap` is `experimental_local_results`, "
            "`reduce` needs `axis=`, and `experimental_initialize`/`experimental_finalize` are "
            "gone. With `Model.fit`, batches are global batches split across replicas.",
        ),
        Note(
            "v1-summary",
            "info",
            "`{name}` ({api}) is a TF1 summary op; TF 2 writes summaries through a default writer",
            "TF1 summary ops returned serialized `Summary` protos to merge and write with a "
            "`FileWriter`. In TF 2, `tf.summary.scalar(name, data, step=...)` writes directly to "
            "the default writer (`tf.summary.create_file_writer(logdir).as_default()`); without "
            "one it writes nothing. `tf.compat.v1.summary` keeps the TF1 ops for graph-mode code.",
        ),
        Note(
            "saved-model-load",
            "warning",
            "`{name}` ({api}) loads into a TF1 session; TF 2's `tf.saved_model.load` returns a "
            "trackable object",
            "`tf.compat.v1.saved_model.load(sess, tags, export_dir)` restores a MetaGraph into a "
            "session. TF 2's `tf.saved_model.load(export_dir)` returns an object whose "
            "`signatures` are callable concrete functions; migrate callers to it when the rest of "
            "the program is eager.",
        ),
        Note(
            "addons",
            "error",
            "`{name}` ({api}) was removed; TF Addons, its interim home, is end of life",
            "`tf_upgrade_v2` points to TensorFlow Addons, which reached end of life in 2024 and "
            "does not support Keras 3.",
        ),
        Note(
            "layer-norm",
            "error",
            "`{name}` ({api}) was removed; use `keras.layers.LayerNormalization`",
            "`keras.layers.LayerNormalization` normalizes over the last axis by default and uses "
            "`epsilon=1e-3`, where contrib used 1e-12.",
        ),
        Note(
            "flags",
            "error",
            "`{name}` ({api}) was removed from TensorFlow 2; use absl flags or argparse",
            "`tf.flags` and `tf.app.flags` were thin wrappers around `absl.flags`. TF 2 keeps them "
            "only as `tf.compat.v1.flags`; new code should `from absl import flags` (same API) or "
            "use `argparse`.",
        ),
        Note("contrib", "error", "", ""),
        Note("contrib-rnn", "error", "", ""),
        Note("contrib-distribute", "error", "", ""),
        Note("contrib-seq2seq", "error", "", ""),
        Note(
            "dataset-iterators",
            "error",
            "`{name}` ({api}) is not a `tf.data.Dataset` method in TensorFlow 2",
            "TF 2 datasets are iterated directly: `for batch in dataset:` or "
            "`iterator = iter(dataset)`; `next(iterator)`. Graph-mode code can call "
            "`tf.compat.v1.data.make_one_shot_iterator(dataset)` or "
            "`tf.compat.v1.data.make_initializable_iterator(dataset)`.",
        ),
        Note(
            "dropout-keep-prob",
            "warning",
            "`{name}` ({api}): in TensorFlow 2 the second argument is the drop `rate`, not "
            "`keep_prob`",
            "TF1's `tf.nn.dropout(x, keep_prob)` kept each element with probability `keep_prob`; "
            "TF 2's second argument is `rate`, the probability of dropping it, so a TF1 call "
            "passing it positionally silently keeps the complement. The fix passes "
            "`rate=1 - keep_prob` by keyword, which is what TF1's `dropout` computed (it called "
            "the TF 2 function with that rate). It is unsafe because `tf.nn.dropout(x, 0.2)` is "
            "also valid TF 2 code, meaning `rate=0.2`: apply it to code written for TF 1.x only. "
            "Calls passing `keep_prob=` are fixed by their own rule, calls passing `rate=` are "
            "fine.",
        ),
        Note(
            "softmax-labels-gradient",
            "info",
            "`{name}` ({api}) back-propagates into the labels in TensorFlow 2",
            "TF1's `softmax_cross_entropy_with_logits` stopped gradients at `labels`; TF 2's (the "
            "old `_v2`) lets them flow. This only matters when the labels depend on trainable "
            "variables: wrap them in `tf.stop_gradient(labels)` to keep the TF1 behaviour.",
        ),
        Note(
            "glimpse-noise",
            "error",
            "`{name}` ({api}) takes `noise=` instead of `uniform_noise=` in TensorFlow 2",
            'TF 2 replaced `uniform_noise=True`/`False` with `noise="uniform"`/'
            '`"gaussian"` (and added `"zero"`), and places the window differently when '
            "`centered=False` or `normalized=False`. The fix moves calls passing "
            "`uniform_noise=` to `tf.compat.v1.image.extract_glimpse`, which keeps TF1's "
            "results. To migrate to TF 2 with the default `centered` and `normalized`, write "
            '`noise="uniform" if uniform_noise else "gaussian"`.',
        ),
        Note(
            "resize-v1-numerics",
            "info",
            "",
            "`tf_upgrade_v2` rewrites these to `tf.image.resize(..., method=...)`, which samples "
            "at pixel centers (`half_pixel_centers=True`) and gives different values; "
            "`tf.compat.v1.image.resize_*` keeps TF1's numbers and `align_corners=`.",
        ),
        Note(
            "fractional-pool-seed",
            "error",
            "`{name}` ({api}) takes no `deterministic=` or `seed2=` in TensorFlow 2",
            "TF 2 removed `deterministic=` and `seed2=`: the pooling regions are reproducible "
            "when `seed=` is non-zero. The fix moves calls passing them to `tf.compat.v1`, which "
            "keeps the TF1 behaviour; to migrate, delete both and pass a non-zero `seed=` where "
            "the regions must be reproducible. Calls passing neither behave the same.",
        ),
        Note(
            "name-scope",
            "error",
            "`{name}` ({api}) takes only a name in TensorFlow 2",
            "TF 2's `tf.name_scope(name)` has no `default_name=` or `values=`, and its name must "
            "be a string (TF1 took `None` with a `default_name`). The fix moves calls passing "
            "more than the name to `tf.compat.v1.name_scope`, which keeps the TF1 behaviour; to "
            "migrate, pass only the name (the old `default_name` when `name` was `None`). Calls "
            "passing a name alone behave the same in both versions, a name ending in `/` "
            "re-entering that scope included.",
        ),
        Note(
            "strings-split-ragged",
            "info",
            "`{name}` ({api}) returns a `RaggedTensor` in TensorFlow 2",
            "TF 2's `tf.strings.split` has no `result_type=` and returns a `tf.RaggedTensor`; "
            "call `.to_sparse()` on the result where TF1 code expected a `SparseTensor`, and "
            "rename `source=` to `input=`.",
        ),
        Note(
            "contrib-initializers",
            "error",
            "`{name}` ({api}) was removed; use a Keras initializer",
            "The contrib initializers map to Keras 3's `GlorotUniform`, `GlorotNormal` and "
            "`VarianceScaling`, which take no `dtype=` argument (the dtype is given when the "
            "initializer is called).",
        ),
        Note(
            "uniform-unit-scaling",
            "info",
            "",
            "`uniform_unit_scaling_initializer(factor)` draws from the same distribution as "
            '`keras.initializers.VarianceScaling(scale=factor, distribution="uniform")` for '
            "new TF 2 code.",
        ),
        Note(
            "device-function",
            "info",
            "`{name}` ({api}) takes only device strings in TensorFlow 2",
            "TF 2's `tf.device` accepts a device name string (or `None`); TF1 also accepted a "
            "function choosing the device per op, such as `tf.train.replica_device_setter`. Keep "
            "those in graph-mode code with `tf.compat.v1.device`.",
        ),
        Note(
            "while-loop-structure",
            "info",
            "`{name}` ({api}) returns the structure of `loop_vars` in TensorFlow 2",
            "TF 2's `tf.while_loop` behaves as TF1's `return_same_structure=True`: a one-element "
            "list of loop variables comes back as a list, where TF1 returned the bare tensor. "
            "Unpack the result, and remove `return_same_structure=`.",
        ),
        Note(
            "ctc-merge-repeated",
            "info",
            "`{name}` ({api}) always behaves as `merge_repeated=False` in TensorFlow 2",
            "TF 2 removed `merge_repeated=` (TF1's default was `True`). Calls that relied on "
            "merging repeated labels in the beams need `tf.compat.v1.nn.ctc_beam_search_decoder`.",
        ),
        Note(
            "morphology-data-format",
            "warning",
            "`{name}` ({api}) requires `data_format=` and renamed arguments in TensorFlow 2",
            "TF 2's `tf.nn.dilation2d`/`erosion2d` take `filters=`, `strides=`, `padding=`, "
            '`data_format="NHWC"` (required, only NHWC) and `dilations=` (TF1: `filter=`/'
            "`kernel=`, `rates=`), in that order.",
        ),
        Note(
            "cond-strict",
            "info",
            "",
            "`strict=` was removed; TF 2 behaves as TF1's `strict=True` (a branch returning a "
            "one-element list returns a list).",
        ),
        Note(
            "align-corners",
            "info",
            "",
            "`align_corners=` is not supported by TF 2's `tf.image.resize`; "
            "`tf.compat.v1.image.resize` keeps it, and TF1's values.",
        ),
        Note(
            "image-resize-v2",
            "warning",
            "`{name}` ({api}) computes different values in TensorFlow 2",
            "TF 2's `tf.image.resize` samples at pixel centers (TF1: `half_pixel_centers=False`) "
            "and has no `align_corners=`: resized images differ slightly from TF1's, which "
            "matters for models trained on TF1 preprocessing. `tf.compat.v1.image.resize` keeps "
            "the TF1 values.",
        ),
        Note(
            "graph-gradients",
            "info",
            "`{name}` ({api}) works only in graph mode or inside `tf.function` in TensorFlow 2",
            "In eager execution `tf.gradients` raises `RuntimeError`; compute gradients with "
            "`tf.GradientTape` (`tape.gradient(loss, variables)`), or keep the code in graph mode. "
            "`colocate_gradients_with_ops=` was removed (TF 2 behaves as if it were `True`).",
        ),
        Note(
            "autograph-arguments",
            "error",
            "`{name}` ({api}) lost `arg_values=`, `arg_types=` and `indentation=` in TensorFlow 2",
            "TF 2's `tf.autograph.to_code` and `tf.autograph.to_graph` take the function, "
            "`recursive=` and `experimental_optional_features=`. TF 1.x already ignored "
            "`arg_values=`, `arg_types=` and `indentation=`, so the fix deletes them.",
        ),
        Note(
            "block-size",
            "warning",
            "`{name}` ({api}) takes a `block_shape` list before `paddings` in TensorFlow 2, not a "
            "scalar `block_size`",
            "TF1's `space_to_batch(input, paddings, block_size)` and `batch_to_space(input, crops, "
            "block_size)` took one integer for square blocks of a 4-D input. TF 2's take "
            "`block_shape`, a list with one entry per spatial dimension, as the second argument: "
            "the fix writes `tf.space_to_batch(x, block_shape=[b, b], paddings=p)`, which "
            "computes what TF1 did. Renaming `block_size=` to `block_shape=` (what `tf_upgrade_v2` "
            "does) keeps the scalar and fails with `block_shape rank should be 1`. The fix is left "
            "to you when the block size is an expression it would have to write twice.",
        ),
    )
}
"""Keys of NOTES used for an API that has no rule of its own (manual TFM7xx rules)."""

CHANGED_ARGUMENTS = {
    "tensorflow.space_to_batch": "block-size",
    "tensorflow.nn.space_to_batch": "block-size",
    "tensorflow.batch_to_space": "block-size",
}
"""APIs whose renamed argument also changed meaning: a keyword rename would be wrong."""

DROPPED_ARGUMENTS = {
    "use_cudnn_on_gpu": "`use_cudnn_on_gpu=` only chose the GPU kernel; TF 2 uses cuDNN whenever "
    "it can.",
    "colocate_gradients_with_ops": "`colocate_gradients_with_ops=` only placed the gradient ops; "
    "TF 2 always colocates them with the forward ops.",
    "optimize": "`optimize=` only chose between a constant and an op computing the same values; "
    "TF 2 always optimizes.",
    "validate_indices": "`validate_indices=` was already ignored by TF 1.x.",
    **dict.fromkeys(
        ("arg_values", "arg_types", "indentation"),
        "TF 1.x already ignored these deprecated arguments.",
    ),
    "verify_shape": "TF 2's `tf.constant` behaves as TF1's `verify_shape=False`; a TF1 call with "
    "`verify_shape=True` only ran when the value already had the shape, where both agree "
    "(`tf_upgrade_v2` renames it to `verify_shape_is_now_always_true=`, which TF 2 rejects).",
}
"""Removed TF1 arguments whose removal keeps the behaviour, and why: the fix deletes them."""

ARGUMENT_APIS: dict[str, tuple[str, ...]] = {
    "tensorflow.name_scope": ("default_name", "values"),
    "tensorflow.image.extract_glimpse": ("uniform_noise",),
    "tensorflow.nn.fractional_avg_pool": ("deterministic", "seed2"),
    "tensorflow.nn.fractional_max_pool": ("deterministic", "seed2"),
    **dict.fromkeys(
        (
            "tensorflow.nn.embedding_lookup",
            "tensorflow.nn.embedding_lookup_sparse",
            "tensorflow.nn.nce_loss",
            "tensorflow.nn.safe_embedding_lookup_sparse",
            "tensorflow.nn.sampled_softmax_loss",
        ),
        ("partition_strategy",),
    ),
}
"""Removed TF1 arguments that tf_upgrade_v2 handles in a transformer or a warning about every
use, by API; the ones its tables name as removed keywords or argument warnings come on top."""

V1_BEHAVIOUR_ARGUMENTS = {
    "tensorflow.image.extract_glimpse": (
        ("centered", "normalized"),
        3,
        "TF 2's `tf.image.extract_glimpse` places the window differently from TF1's when "
        "`centered=False` or `normalized=False` (measured on TF 2.21: the same offsets give other "
        "pixels); `tf.compat.v1.image.extract_glimpse` keeps the TF1 windows. Calls with the "
        "defaults agree.",
    ),
}
"""TF 2 arguments that compute something else than in TF1 when passed: (arguments, TF1 index of
the first, note). Calls passing them are rewritten to `tf.compat.v1` (unsafe: TF 2 code means
the new behaviour)."""

ARGUMENT_NOTE_KEYS = {
    "tensorflow.name_scope": "name-scope",
    "tensorflow.image.extract_glimpse": "glimpse-noise",
    "tensorflow.nn.fractional_avg_pool": "fractional-pool-seed",
    "tensorflow.nn.fractional_max_pool": "fractional-pool-seed",
    "tensorflow.autograph.to_code": "autograph-arguments",
    "tensorflow.autograph.to_graph": "autograph-arguments",
}
"""APIs whose argument rule is the TFM7xx rule of a note (it keeps that rule's name and code)."""

WHEN_NOTES: dict[str, dict[str, Any]] = {"initializer-dtype": {"keywords": ["dtype"]}}
"""Behaviour notes that only concern calls passing some arguments: their rules' `when`."""

ARGUMENT_KEYS = frozenset(
    {
        "dropout-keep-prob",
        "fractional-pool-seed",
        "glimpse-noise",
        "name-scope",
        "autograph-arguments",
        "block-size",
    }
)
"""Notes told by the argument rules of their APIs, not by a rule on every use."""

DROPOUT = "tensorflow.nn.dropout"


# --- reading the installed TensorFlow ---------------------------------------------------------


class Installed:
    """Names, objects and signatures of the installed TensorFlow and Keras (imports them)."""

    def __init__(self) -> None:
        os.environ.pop("TF_USE_LEGACY_KERAS", None)
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import keras  # type: ignore[import-untyped]
        import numpy
        import tensorflow  # type: ignore[import-untyped]

        tensorflow.get_logger().setLevel("ERROR")
        self.roots = {"tensorflow": tensorflow, "keras": keras, "numpy": numpy}
        self._cache: dict[str, object] = {}

    def resolve(self, qualname: str) -> object | None:
        """The object a qualified name reaches, or None when it does not exist."""
        if qualname in self._cache:
            return self._cache[qualname]
        root, *parts = qualname.split(".")
        obj: object | None = self.roots.get(root)
        if obj is None:
            try:
                obj = self.roots[root] = importlib.import_module(root)
            except ImportError:
                obj = None
        for part in parts:
            if obj is None:
                break
            try:
                obj = getattr(obj, part)
            except Exception:  # lazy loaders raise more than AttributeError
                obj = None
        self._cache[qualname] = obj
        return obj

    def exists(self, qualname: str) -> bool:
        """Whether a name is usable in the installed TF 2 (not missing, not a Keras 3 stub)."""
        if qualname.startswith("tensorflow.compat.v1.keras"):
            return False  # Keras 3 under a TF1 name: not the TF1 Keras tf_upgrade_v2 meant
        obj = self.resolve(qualname)
        return obj is not None and not is_stub(obj, qualname)

    def parameters(self, qualname: str) -> list[tuple[str, bool]] | None:
        """Positional-or-keyword parameters as (name, has a default), or None when unknown."""
        from tensorflow.python.util import tf_inspect  # type: ignore[import-untyped]

        obj = self.resolve(qualname)
        if obj is None:
            return None
        try:
            spec = tf_inspect.getfullargspec(obj)
        except TypeError:
            return None
        args = list(spec.args)
        if args[:1] == ["self"]:
            args = args[1:]
        defaults = len(spec.defaults or ())
        return [(name, i >= len(args) - defaults) for i, name in enumerate(args)]


def is_stub(obj: object, qualname: str) -> bool:
    """A Keras 3 placeholder class that raises ImportError when used (`optimizers.legacy.*`)."""
    if not isinstance(obj, type) or obj.__name__ == qualname.rsplit(".", 1)[-1]:
        return False
    if not obj.__module__.startswith("keras."):
        return False
    try:
        obj()
    except ImportError:
        return True
    except Exception:  # needs arguments: a real class under another name
        return False
    return False


# --- tf_upgrade_v2's tables -------------------------------------------------------------------


@dataclass
class Entry:
    """Everything tf_upgrade_v2's tables say about one API."""

    api: str
    """The qualified name tfmend matches (canonical spelling)."""
    source: str
    """tf_upgrade_v2's spelling (`tf.placeholder`)."""
    rename: str | None = None
    keywords: dict[str, str | None] = field(default_factory=dict)
    reorder: tuple[str | None, ...] | None = None
    warning: tuple[int, str] | None = None
    arg_warnings: dict[str, tuple[int, str]] = field(default_factory=dict)
    transformer: str | None = None
    module_warning: tuple[int, str] | None = None


def qualify(name: str) -> str | None:
    """tf_upgrade_v2's spelling as a qualified name; None for its `contrib_*` import aliases."""
    if name in METHODS:
        return METHODS[name]
    if name.startswith("contrib_"):
        return None
    if name.startswith("slim."):
        return "tensorflow.contrib.slim." + name[len("slim.") :]
    if not name.startswith("tf."):
        raise ValueError(f"unexpected name in tf_upgrade_v2's tables: {name}")
    qualname = "tensorflow." + name[len("tf.") :]
    if qualname.startswith("tensorflow.compat.v2."):
        qualname = "tensorflow." + qualname[len("tensorflow.compat.v2.") :]
    if qualname.startswith("tensorflow.keras."):
        rest = qualname[len("tensorflow.") :]
        return "tensorflow." + rest if rest.startswith(TF_SPELLING) else rest
    return qualname


def target_name(name: str) -> str:
    """A replacement in tf_upgrade_v2's tables as a qualified name (`tf.keras` → `keras`)."""
    qualname = qualify(name)
    assert qualname is not None
    if qualname.startswith("tensorflow.keras."):
        return qualname[len("tensorflow.") :]
    return qualname


def read_tables() -> dict[str, Entry]:
    """All APIs named by the installed TFAPIChangeSpec, by qualified name."""
    from tensorflow.tools.compatibility import (  # type: ignore[import-untyped]
        module_deprecations_v2,
        tf_upgrade_v2,
    )

    spec = tf_upgrade_v2.TFAPIChangeSpec()
    entries: dict[str, Entry] = {}

    def entry(name: str) -> Entry | None:
        api = qualify(name)
        if api is None:
            return None
        return entries.setdefault(api, Entry(api, name))

    for name, new in spec.symbol_renames.items():
        if (e := entry(name)) is not None:
            e.rename = target_name(new)
    for name, renames in spec.function_keyword_renames.items():
        if (e := entry(name)) is not None:
            e.keywords.update(renames)
    for name, order in spec.function_reorders.items():
        if (e := entry(name)) is not None:
            e.reorder = tuple(order)
    for name, (level, message) in spec.function_warnings.items():
        if (e := entry(name)) is not None:
            e.warning = (level, message)
    for name, by_arg in spec.function_arg_warnings.items():
        if (e := entry(name)) is not None:
            for (arg, _position), (level, message) in by_arg.items():
                e.arg_warnings[arg] = (level, message)
    for name, transformer in spec.function_transformers.items():
        if (e := entry(name)) is not None:
            func = getattr(transformer, "func", transformer)
            e.transformer = func.__name__
    for name, (level, message) in module_deprecations_v2.MODULE_DEPRECATIONS.items():
        if (e := entry(name)) is not None:
            e.module_warning = (level, message)
    return entries


# --- planning rules ---------------------------------------------------------------------------


@dataclass
class Group:
    """APIs that become one rule."""

    kind: str
    family: int
    name: str
    apis: dict[str, str | None] = field(default_factory=dict)
    """API → its replacement (None when the rule does not rewrite it)."""
    notes: dict[str, list[str]] = field(default_factory=dict)
    """API → notes told in the explanation."""
    extra: dict[str, Any] = field(default_factory=dict)

    def add(self, api: str, to: str | None = None) -> None:
        self.apis[api] = to

    def note(self, api: str, text: str) -> None:
        if text and text not in self.notes.setdefault(api, []):
            self.notes[api].append(text)


@dataclass
class Exemption:
    """An aspect of an API that tfmend deliberately does not flag, or cannot yet."""

    api: str
    aspect: str
    """`symbol`, `keyword:NAME`, `positional` or `argument:NAME`."""
    reason: str
    blocked: bool
    """True when the engine lacks what it takes (see `needs`); False when no rule is right."""


@dataclass
class Plan:
    """The generated rules (as groups) and what was left out, and why."""

    groups: dict[str, Group] = field(default_factory=dict)
    exemptions: list[Exemption] = field(default_factory=list)
    covered: dict[str, list[str]] = field(default_factory=dict)
    """API → names of the groups that list it."""
    pending: dict[str, list[str]] = field(default_factory=dict)
    """API → notes for whichever rule lists it later (its argument rule)."""

    def group(self, name: str, kind: str, family: int) -> Group:
        found = self.groups.get(name)
        if found is None:
            found = self.groups[name] = Group(kind, family, name)
        return found

    def put(self, name: str, kind: str, family: int, api: str, to: str | None = None) -> Group:
        group = self.group(name, kind, family)
        group.add(api, to)
        self.covered.setdefault(api, []).append(name)
        return group

    def exempt(self, api: str, aspect: str, reason: str, *, blocked: bool) -> None:
        self.exemptions.append(Exemption(api, aspect, reason, blocked))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _namespace(api: str) -> str:
    parts = api.split(".")
    if parts[0] == "keras":
        return _slug("keras-" + parts[1]) if len(parts) > 2 else "keras"
    if len(parts) <= 2:
        return "top-level"
    if parts[1] == "contrib":
        return _slug("contrib-" + parts[2]) if len(parts) > 3 else "contrib"
    return _slug(parts[1])


def _target_module(to: str) -> str:
    parts = to.split(".")
    if parts[0] != "tensorflow":
        return ".".join(parts[:-1])
    return ".".join(parts[1:-1]) or "top-level"


def _warning_key(api: str, message: str) -> str:
    for key, matches in WARNING_KEYS:
        if matches(api, message):
            return key
    raise ValueError(f"no note for tf_upgrade_v2's warning about {api}: {message[:80]}")


def _is_graph_mode(api: str) -> bool:
    rest = api[len("tensorflow.") :] if api.startswith("tensorflow.") else ""
    return (
        rest in GRAPH_MODE
        or rest.startswith(GRAPH_MODE_PREFIXES)
        or bool(GRAPH_MODE_PATTERN.match(rest))
    )


def _mismatch(
    old: list[tuple[str, bool]], new: list[tuple[str, bool]], renames: dict[str, str | None]
) -> int | None:
    """First position where a TF1 positional argument binds to another TF 2 parameter.

    Trailing TF1 aliases (`dim` after `axis`, `keep_dims` after `keepdims`) end the comparison:
    they were never meant to be passed positionally.
    """
    names = [name for name, _ in new]
    if old and old[0][0] in _SENTINELS:
        return None  # TF1 accepted keyword arguments only
    seen: set[str] = set()
    for index, (name, _) in enumerate(old):
        mapped = renames.get(name, name)
        if index >= len(names) or (mapped is not None and mapped in seen):
            return None
        if mapped != names[index]:
            return index
        seen.add(mapped)
    return None


def plan_rules(entries: dict[str, Entry], installed: Installed, handwritten: set[str]) -> Plan:
    """Decide the rule of every API (see the module docstring)."""
    plan = Plan()
    keyword_renames: dict[str, dict[str, str]] = {}
    """API → keyword renames (including ones carried over from a renamed TF1 name)."""
    for api in sorted(entries):
        e = entries[api]
        if _covered_by(api, handwritten):
            if e.rename and installed.exists(api) and not installed.exists(e.rename):
                plan.exempt(
                    api,
                    "symbol",
                    f"tf_upgrade_v2 rewrites it to `{_spell(e.rename)}`, "
                    "which is missing or a stub in TF 2.21; the name itself still works",
                    blocked=False,
                )
            continue
        _plan_symbol(plan, e, installed, keyword_renames)
        if api.startswith("tensorflow.contrib.") or _replaced(plan, api):
            continue
        if api in UNCHANGED_METHODS:
            _exempt_unchanged_method(plan, e)
            continue
        signatures = _signatures(installed, api)
        if api in CHANGED_ARGUMENTS:
            _plan_block_size(plan, api)
            _exempt_incomplete_order(plan, api, signatures)
            continue
        if api == DROPOUT:
            _plan_dropout(plan, api)
        renames = {k: v for k, v in e.keywords.items() if v is not None}
        if signatures is not None:
            names = {name for name, _ in signatures[1]}
            renames = {k: v for k, v in renames.items() if v in names}
        if renames:
            keyword_renames.setdefault(api, {}).update(renames)
        if signatures is not None and api != DROPOUT:
            if e.reorder:
                _plan_order(plan, e, signatures)
            if not _ambiguous(plan, api):
                _plan_arguments(plan, e, installed, signatures)
        _exempt_every_use_reports(plan, e)
    for api in sorted(keyword_renames):
        if not _covered_by(api, handwritten):
            _plan_keywords(plan, api, keyword_renames[api])
    for api, texts in plan.pending.items():
        for name in plan.covered.get(api, [])[:1]:
            for text in texts:
                plan.groups[name].note(api, text)
    symbol_ok = {api for api, names in plan.covered.items() if _flags_every_use(plan, names)}
    plan.exemptions = [
        x for x in plan.exemptions if not (x.aspect == "symbol" and x.api in symbol_ok)
    ]
    return plan


Signatures = tuple[list[tuple[str, bool]], list[tuple[str, bool]]]
"""An API's positional-or-keyword parameters in TF1 (`tf.compat.v1`) and in TF 2."""


def _signatures(installed: Installed, api: str) -> Signatures | None:
    if not api.startswith("tensorflow.") or not installed.exists(api):
        return None
    old = installed.parameters("tensorflow.compat.v1." + api[len("tensorflow.") :])
    new = installed.parameters(api)
    return (old, new) if old and new else None


def _replaced(plan: Plan, api: str) -> bool:
    """Whether the API's rule rewrites or retires the name itself (its arguments go with it)."""
    return any(
        plan.groups[name].kind
        in ("template", "auto-template", "rename", "compat", "graph", "missing", "replace-unsafe")
        for name in plan.covered.get(api, [])
    )


def _ambiguous(plan: Plan, api: str) -> bool:
    """Whether a rule moves every use to `tf.compat.v1` (its arguments go with it)."""
    return any(
        plan.groups[name].kind in ("ambiguous", "ambiguous-graph")
        for name in plan.covered.get(api, [])
    )


def _flags_every_use(plan: Plan, names: list[str]) -> bool:
    """Whether one of these groups' rules flags every use of its APIs."""
    return any(
        plan.groups[n].kind != "keyword" and "when" not in plan.groups[n].extra for n in names
    )


def _every_use(plan: Plan, api: str) -> bool:
    """Whether a rule already flags every use of the API (a behaviour change of all calls)."""
    return any(
        plan.groups[name].kind == "warning" and "when" not in plan.groups[name].extra
        for name in plan.covered.get(api, [])
    )


EVERY_CALL_TRANSFORMERS = {
    "_dropout_transformer": "tf_upgrade_v2 reports every call without `keep_prob=` or a second "
    "positional argument as one it cannot convert, TF 2 calls passing `rate=` included; those "
    "calls behave the same in TF 2",
    "_name_scope_transformer": "tf_upgrade_v2 moves every call passing a name to "
    "`tf.compat.v1.name_scope` in case it re-enters a scope; TF 2.21's `tf.name_scope` re-enters "
    "a scope named with a trailing `/` as TF1's did, so a call passing a name alone behaves the "
    "same",
}
"""tf_upgrade_v2 transformers that report every call, and why tfmend flags fewer."""


def _exempt_every_use_reports(plan: Plan, e: Entry) -> None:
    """tf_upgrade_v2 reports every use of the API; tfmend's rules flag only some calls."""
    names = plan.covered.get(e.api, [])
    if not (e.rename or e.warning or e.transformer) or not names:
        return  # tf_upgrade_v2 leaves a bare use alone, or tfmend has no rule for the API
    if _flags_every_use(plan, names):
        return
    if any(x.api == e.api and x.aspect == "symbol" for x in plan.exemptions):
        return  # told already (tf_upgrade_v2's replacement is broken)
    groups = [plan.groups[name] for name in names]
    keywords = sorted({k for g in groups for k in g.extra.get("when", {}).get("keywords", [])})
    passing = " or ".join(f"`{k}=`" for k in keywords)
    if e.transformer in EVERY_CALL_TRANSFORMERS:
        reason = EVERY_CALL_TRANSFORMERS[e.transformer]
    elif e.warning:
        reason = (
            "tf_upgrade_v2 warns about every use; only calls passing "
            f"{passing} break, and tfmend flags those"
        )
    elif e.reorder and e.reorder[0] is not None:
        reason = (
            "tf_upgrade_v2 passes every argument of every call by keyword because later "
            "parameters moved; calls passing only the leading arguments bind the same in TF 2, "
            "and tfmend flags the others"
        )
    else:
        return
    plan.exempt(e.api, "symbol", reason, blocked=False)


def _exempt_unchanged_method(plan: Plan, e: Entry) -> None:
    """tf_upgrade_v2 removes the argument from any method of that name; TF1's optimizers, which
    tfmend moves to `tf.compat.v1.train`, still take it."""
    method = UNCHANGED_METHODS[e.api]
    for keyword in sorted(k for k, v in e.keywords.items() if v is None):
        plan.exempt(
            e.api,
            f"argument:{keyword}",
            f"tf_upgrade_v2 deletes `{keyword}=` from every method called `{method}`; the TF1 "
            "optimizers that have it keep it as `tf.compat.v1.train.*Optimizer`, where tfmend "
            "moves them, so no rule is right (Keras optimizers never took it)",
            blocked=False,
        )


def _mapped_parameters(
    old: list[tuple[str, bool]], new: list[tuple[str, bool]], keywords: dict[str, str | None]
) -> dict[str, str | None]:
    """TF1 parameter → its TF 2 name; None when TF 2 has none, "" for an alias or a sentinel."""
    names = {name for name, _ in new}
    mapped: dict[str, str | None] = {}
    for name, _ in old:
        target = keywords.get(name, name)
        if name in _SENTINELS:
            mapped[name] = ""
        elif target is None or target not in names:
            mapped[name] = None
        elif target in mapped.values():
            mapped[name] = ""  # a TF1 alias of an earlier parameter (`filters` after `filter`)
        else:
            mapped[name] = target
    return mapped


def _plan_order(plan: Plan, e: Entry, signatures: Signatures) -> None:
    """TF1 positional arguments that bind to other parameters in TF 2: passed by keyword."""
    old, new = signatures
    moved = _mismatch(old, new, e.keywords)
    if moved is None:
        return
    mapped = _mapped_parameters(old, new, e.keywords)
    order: list[str] = []
    for name, _ in old:
        target = mapped[name]
        if not target:
            break
        order.append(target)
    if len(order) <= moved:
        return  # the first moved TF1 parameter is gone in TF 2: the argument rules flag it
    last = e.api.rsplit(".", 1)[1]
    group = plan.put(f"tf1-{_slug(last)}-argument-order", "order", 2, e.api)
    fields = {"positional": tuple(order), "keep": moved, "old": old, "new": new}
    if group.extra and any(group.extra[k] != v for k, v in fields.items()):
        raise ValueError(f"{group.name}: {e.api} has another argument order than its group")
    group.extra.update(fields)


EXAMPLE_VALUES = {
    "use_cudnn_on_gpu": "False",
    "colocate_gradients_with_ops": "True",
    "optimize": "False",
    "validate_indices": "True",
    "arg_values": "None",
    "arg_types": "None",
    "indentation": "4",
    "verify_shape": "True",
    "strict": "True",
    "align_corners": "True",
    "seed2": "7",
    "deterministic": "True",
    "partition_strategy": '"div"',
    "return_same_structure": "True",
    "merge_repeated": "False",
    "checkpoint_v2": "True",
    "hash_table_shared_name": "True",
    "default_name": '"block"',
    "values": "[x]",
    "uniform_noise": "False",
    "centered": "False",
    "device_name_or_function": '"/cpu:0"',
}
"""Values shown for removed arguments in the examples."""


def _plan_arguments(plan: Plan, e: Entry, installed: Installed, signatures: Signatures) -> None:
    """Removed TF1 arguments: deleted where that keeps the behaviour, else kept by moving the
    call to `tf.compat.v1`; TF1 calls passing them positionally are moved there too (unsafe)."""
    api = e.api
    old, new = signatures
    mapped = _mapped_parameters(old, new, e.keywords)
    removed = _removed_parameters(e, signatures, mapped)
    behaviour = V1_BEHAVIOUR_ARGUMENTS.get(api)
    if not removed and behaviour is None:
        return
    v1 = "tensorflow.compat.v1." + api[len("tensorflow.") :]
    if not installed.exists(v1):
        raise ValueError(f"{api}: no {v1} to keep its removed arguments")
    first = min((i for i, _ in removed), default=len(old))
    # A call passing more positional arguments than TF 2 takes cannot be TF 2 code.
    safe_position = first + 1 if first + 1 > len(new) else None
    key = ARGUMENT_NOTE_KEYS.get(api)
    dropped = [(i, n) for i, n in removed if n in DROPPED_ARGUMENTS]
    kept = [(i, n) for i, n in removed if n not in DROPPED_ARGUMENTS]
    if dropped:
        _plan_drop(
            plan,
            api,
            signatures,
            mapped=mapped,
            dropped=[n for _, n in dropped],
            key=key,
            position=safe_position if dropped[0][0] == first else None,
        )
    if kept:
        keywords = sorted(n for _, n in kept)
        if key:
            name, family = f"tf1-behaviour-{key}", 7
        else:
            name, family = "tf1-v1-arguments-" + _slug(" ".join(keywords)), 2
        group = _conditional_group(
            plan,
            name,
            (api, v1),
            kind="v1-arguments",
            family=family,
            keywords=keywords,
            position=safe_position if kept[0][0] == first else None,
        )
        group.extra["key"] = key
        shown = ", ".join(n for n, _ in old[: min(first, 3)])
        passed = f"{kept[0][1]}={EXAMPLE_VALUES.get(kept[0][1], kept[0][1])}"
        group.extra.setdefault("calls", {})[api] = (f"{shown}, {passed}".lstrip(", "), shown)
        for _, argument in kept:
            if argument in ARGUMENT_WARNING_KEYS:
                group.note(api, NOTES[ARGUMENT_WARNING_KEYS[argument]].text)
    if behaviour is not None:
        _plan_v1_behaviour(plan, api, v1, old, first)
    elif removed and safe_position is None and not _every_use(plan, api):
        name = f"tf1-v1-positional-arguments-from-{first + 1}"
        group = _conditional_group(
            plan, name, (api, v1), kind="v1-positional", family=2, position=first + 1
        )
        shown = ", ".join(n for n, _ in old[: first + 1])
        group.extra.setdefault("calls", {})[api] = (shown, ", ".join(n for n, _ in old[:first]))
        old_order = ", ".join(n for n, _ in old)
        new_order = ", ".join(n for n, _ in new)
        group.note(api, f"TF1: `({old_order})`; TF 2: `({new_order})`.")


def _removed_parameters(
    e: Entry, signatures: Signatures, mapped: dict[str, str | None]
) -> list[tuple[int, str]]:
    """(position, name) of the TF1 parameters TF 2 removed that tf_upgrade_v2 (or tfmend) tells
    about: removed keywords, argument warnings, transformed arguments, a moved position."""
    old, new = signatures
    candidates = {k for k, v in e.keywords.items() if not v or not mapped.get(k)}
    candidates |= set(e.arg_warnings) | set(ARGUMENT_APIS.get(e.api, ()))
    if e.api in TRANSFORMER_ARGUMENTS:
        candidates.add(TRANSFORMER_ARGUMENTS[e.api])
    moved = _mismatch(old, new, e.keywords)
    if moved is not None:
        candidates.add(old[moved][0])
    return [(i, n) for i, (n, _) in enumerate(old) if mapped[n] is None and n in candidates]


def _plan_v1_behaviour(
    plan: Plan, api: str, v1: str, old: list[tuple[str, bool]], first: int
) -> None:
    """TF 2 arguments that compute something else than TF1's: calls passing them go to v1."""
    keywords, index, text = V1_BEHAVIOUR_ARGUMENTS[api]
    name = f"tf1-{_slug(api.rsplit('.', 1)[1])}-v1-behaviour"
    group = _conditional_group(
        plan,
        name,
        (api, v1),
        kind="v1-positional",
        family=7,
        keywords=list(keywords),
        position=min(first, index) + 1,
    )
    group.note(api, text)
    shown = ", ".join(n for n, _ in old[: min(index, 3)])
    passed = f"{keywords[0]}={EXAMPLE_VALUES.get(keywords[0], keywords[0])}"
    group.extra.setdefault("calls", {})[api] = (f"{shown}, {passed}", shown)


def _conditional_group(
    plan: Plan,
    name: str,
    replacement: tuple[str, str],
    *,
    kind: str,
    family: int,
    keywords: list[str] | None = None,
    position: int | None = None,
) -> Group:
    """A group of APIs whose rule only flags calls passing `keywords` or `position` arguments;
    `replacement` is (API, what the fix writes instead)."""
    api, to = replacement
    when: dict[str, Any] = {}
    if keywords:
        when["keywords"] = keywords
    if position is not None:
        when["positional"] = position
    group = plan.put(name, kind, family, api, to)
    if group.extra.setdefault("when", when) != when:
        raise ValueError(f"{name}: {api} needs another call condition than its group")
    return group


def _plan_drop(
    plan: Plan,
    api: str,
    signatures: Signatures,
    *,
    mapped: dict[str, str | None],
    dropped: list[str],
    key: str | None,
    position: int | None,
) -> None:
    """A call fix deleting removed arguments whose removal keeps the behaviour."""
    old, new = signatures
    names = [name for name, _ in new]
    required_new = {name for name, has_default in new if not has_default}
    refused = [i for i, (p, _) in enumerate(old) if not mapped[p] and p not in dropped]
    # The signature stops taking positional arguments at the first TF1 parameter the fix
    # cannot handle (an alias, or a removed argument it must not delete).
    cut = min(refused, default=len(old))
    prefix = 0
    while (
        prefix < min(cut, len(names))
        and mapped[old[prefix][0]] == names[prefix]
        and names[prefix] in required_new
    ):
        prefix += 1
    required = prefix
    while required < cut and not old[required][1]:
        required += 1
    signature = [p if i < required else f"{p}=None" for i, (p, _) in enumerate(old[:cut])]
    tail = [f"{p}=None" for p, _ in old[cut + 1 :] if mapped[p] or p in dropped]
    if tail:
        signature += ["*", *tail]
    by_new = {mapped[p]: (i, p) for i, (p, _) in enumerate(old) if mapped[p]}
    arguments = [f"{{{old[i][0]}}}" for i in range(prefix)]
    shown = [old[i][0] for i in range(prefix)]
    for name in names[prefix:]:
        if name not in by_new:
            if name in required_new:
                raise ValueError(f"{api}: TF 2 requires `{name}`, which TF1 did not have")
            continue
        index, parameter = by_new[name]
        if index < required:
            arguments.append(f"{name}={{{parameter}}}")
            shown.append(f"{name}={parameter}")
        else:
            arguments.append(f"{name}={{{parameter}?}}")
    when: dict[str, Any] = {"keywords": sorted(dropped)}
    if position is not None:
        when["positional"] = position
    if key:
        name = f"tf1-behaviour-{key}"
        family = 7
    else:
        name = f"tf1-{_slug(api.rsplit('.', 1)[1])}-removed-arguments"
        family = 2
    if name in plan.groups and api not in plan.groups[name].apis:
        name += "-" + _slug(api.rsplit(".", 1)[1])
    group = plan.put(name, "drop", family, api)
    passed = [p for p, _ in old[:required]]
    first = min(dropped, key=[n for n, _ in old].index)
    group.extra.update(
        signature=", ".join(signature),
        template=f"{api}({', '.join(arguments)})",
        when=when,
        key=key,
        code=[
            ", ".join([*passed, f"{first}={EXAMPLE_VALUES.get(first, first)}"]),
            ", ".join(
                [*(f"{p}={p}" for p in passed), f"{first}={EXAMPLE_VALUES.get(first, first)}"]
            ),
        ],
        fixed=", ".join(shown),
    )
    for name in dropped:
        group.note(api, DROPPED_ARGUMENTS[name])


def _plan_dropout(plan: Plan, api: str) -> None:
    """`tf.nn.dropout(x, keep_prob)` → `tf.nn.dropout(x, rate=1 - keep_prob)`."""
    fix = {
        "signature": "x, keep_prob, noise_shape=None, seed=None, name=None",
        "template": f"{api}({{x}}, rate=1 - {{keep_prob}}, noise_shape={{noise_shape?}}, "
        "seed={seed?}, name={name?})",
        "probe": {
            "setup": "x = np.ones(1000, dtype='float32')",
            "old": "tf.reduce_max(tf.compat.v1.nn.dropout(x, keep_prob=0.25))",
            "new": "tf.reduce_max(tf.nn.dropout(x, rate=1 - 0.25))",
        },
        "valid": ["x, rate=0.2"],
    }
    group = plan.put("tf1-dropout-keep-prob", "call-fix", 2, api)
    group.extra.update(
        fix,
        when={"keywords": ["keep_prob"]},
        severity="error",
        message="`{name}` ({api}) takes the drop `rate` in TensorFlow 2, not `keep_prob=`",
        text="TF 2's `tf.nn.dropout` has no `keep_prob=`: calls passing it fail with "
        "`TypeError`. TF1's `dropout(x, keep_prob)` called the TF 2 function with "
        "`rate=1 - keep_prob`, which is what the fix writes.",
        examples=[
            ("x, keep_prob=0.8", "x, rate=1 - 0.8"),
            ("x, keep_prob=k + 0.1", "x, rate=1 - (k + 0.1)"),
        ],
    )
    note = NOTES["dropout-keep-prob"]
    group = plan.put("tf1-behaviour-dropout-keep-prob", "call-fix", 7, api)
    group.extra.update(
        fix,
        when={"positional": 2},
        severity=note.severity,
        message=note.message,
        text=note.text,
        reason="`tf.nn.dropout(x, 0.2)` is also TF 2 code, where the second argument is the drop "
        "rate: the rewrite is right for calls written for TF 1.x only",
        examples=[
            ("x, 0.8", "x, rate=1 - 0.8"),
            ("x, keep_prob, shape", "x, rate=1 - keep_prob, noise_shape=shape"),
        ],
    )


BLOCK_SIZE = {
    "tensorflow.space_to_batch": ("tensorflow.space_to_batch", "paddings"),
    "tensorflow.nn.space_to_batch": ("tensorflow.space_to_batch", "paddings"),
    "tensorflow.batch_to_space": ("tensorflow.batch_to_space", "crops"),
}
"""TF1 block-size functions: the TF 2 function the fix calls, and the TF1 second parameter."""


def _plan_block_size(plan: Plan, api: str) -> None:
    """`space_to_batch(x, paddings, block_size)` → `space_to_batch(x, [b, b], paddings)`."""
    to, second = BLOCK_SIZE[api]
    last = _slug(to.rsplit(".", 1)[1])
    old = "tf.compat.v1." + to[len("tensorflow.") :]
    setup = (
        "x = np.arange(16, dtype='float32').reshape(1, 4, 4, 1)"
        if second == "paddings"
        else "x = np.arange(16, dtype='float32').reshape(4, 2, 2, 1)"
    )
    fix = {
        "signature": f"input, {second}, block_size, name=None",
        "template": f"{to}({{input}}, block_shape=[{{block_size}}, {{block_size}}], "
        f"{second}={{{second}}}, name={{name?}})",
        "probe": {
            "setup": setup,
            "old": f"{old}(x, [[0, 0], [0, 0]], 2)",
            "new": f"{_spell(to)}(x, block_shape=[2, 2], {second}=[[0, 0], [0, 0]])",
        },
        "valid": [f"images, block_shape=[2, 2], {second}={second}"],
    }
    fixed = f"images, block_shape=[2, 2], {second}={second}"
    note = NOTES["block-size"]
    group = plan.put(f"tf1-{last}-block-size", "call-fix", 2, api)
    group.extra.update(
        fix,
        when={"keywords": ["block_size"]},
        severity="error",
        message=note.message,
        text=note.text,
        examples=[(f"images, {second}={second}, block_size=2", fixed)],
    )
    name = "tf1-behaviour-block-size" + ("" if second == "paddings" else f"-{last}")
    group = plan.put(name, "call-fix", 7, api)
    group.extra.update(
        fix,
        when={"positional": 3},
        severity=note.severity,
        message=note.message,
        text=note.text,
        reason=f"`tf.{to.rsplit('.', 1)[1]}(x, block_shape, {second})` is TF 2 code with the "
        "same number of arguments: the rewrite is right for calls written for TF 1.x only",
        examples=[(f"images, {second}, 2", fixed)],
    )


def _exempt_incomplete_order(plan: Plan, api: str, signatures: Signatures | None) -> None:
    """TF1's `block_size` has no default: two positional arguments are not a TF1 call."""
    if signatures is not None and _mismatch(*signatures, {}) is not None:
        plan.exempt(
            api,
            "positional",
            "a call with two positional arguments lacks TF1's required `block_size` (and TF 2's "
            "required third argument): it fails in both versions; calls passing `block_size` "
            "are flagged",
            blocked=False,
        )


def _plan_keywords(plan: Plan, api: str, renames: dict[str, str]) -> None:
    name = "tf1-keywords-" + "-".join(_slug(f"{k} {v}") for k, v in sorted(renames.items()))
    if len(name) > 60:
        name = f"tf1-keywords-of-{_slug(api.rsplit('.', 1)[1])}"
    group = plan.put(name, "keyword", 2, api)
    group.extra.setdefault("renames", renames)


def _plan_symbol(
    plan: Plan, e: Entry, installed: Installed, keyword_renames: dict[str, dict[str, str]]
) -> None:
    """The rule for the name itself, if it needs one."""
    api = e.api
    contrib = api.startswith("tensorflow.contrib.")
    family = 3 if contrib else 1
    exists = installed.exists(api)
    rename = EXTRA_RENAMES.get(api, e.rename)
    template = TEMPLATE_ALIASES.get(api, api)
    if template in TEMPLATES:
        plan.put(
            f"tf1-template-{_slug(template.rsplit('.', 1)[1])}", "template", family, api, template
        )
    elif api in REPLACE_OVERRIDES:
        to, reason = REPLACE_OVERRIDES[api]
        if reason:
            group = plan.put(
                f"tf1-{_namespace(api)}-closest-replacement", "replace-unsafe", family, api, to
            )
            group.extra["reason"] = reason
        else:
            plan.put(f"tf1-{_namespace(api)}-moved", "rename", family, api, to)
    elif rename is not None and rename != api:
        _plan_rename(plan, e, rename, installed, keyword_renames)
    keys = [k for k in _note_keys(e) if k not in ARGUMENT_KEYS]
    if plan.covered.get(api):
        group = plan.groups[plan.covered[api][0]]
        for key in keys:
            group.note(api, NOTES[key].text)
        if api in SUCCESSORS and group.kind != "missing":
            group.note(api, SUCCESSORS[api])
        return
    primary = next((k for k in keys if NOTES[k].message), None)
    if primary is None:
        plan.pending.setdefault(api, []).extend(NOTES[k].text for k in keys)
        return
    if not exists:
        group = plan.put(f"tf1-{_namespace(api)}-removed", "missing", family, api)
        group.note(api, _successor(api, None))
    else:
        group = plan.put(f"tf1-behaviour-{primary}", "warning", 7, api)
        group.extra["key"] = primary
        if primary in WHEN_NOTES:
            group.extra["when"] = WHEN_NOTES[primary]
        if api in SUCCESSORS:
            group.note(api, SUCCESSORS[api])
    for key in keys:
        if key != primary or not exists:
            group.note(api, NOTES[key].text)


def _plan_rename(
    plan: Plan, e: Entry, to: str, installed: Installed, keyword_renames: dict[str, dict[str, str]]
) -> None:
    api = e.api
    contrib = api.startswith("tensorflow.contrib.")
    family = 3 if contrib else 1
    exists = installed.exists(api)
    ns = _namespace(api)
    if not installed.exists(to):
        if exists:
            plan.exempt(
                api,
                "symbol",
                f"tf_upgrade_v2 rewrites it to `{_spell(to)}`, which is "
                "missing or a stub in TF 2.21; the name itself still works",
                blocked=False,
            )
        else:
            group = plan.put(f"tf1-{ns}-removed", "missing", family, api)
            group.note(api, _successor(api, to))
        return
    if exists and api in UNNECESSARY:
        plan.exempt(api, "symbol", UNNECESSARY[api], blocked=False)
        return
    graph = _is_graph_mode(api)
    if to.startswith("tensorflow.compat.v1."):
        if exists:
            key = _warning_key(api, e.warning[1]) if e.warning else ""
            name = {
                "assert-v1": "tf1-assertions-v1-behaviour",
                "initializer-dtype": "tf1-initializers-v1-behaviour",
            }.get(key, "tf1-names-with-v1-behaviour")
            if graph:
                plan.put(name + "-graph-mode", "ambiguous-graph", family, api, to)
            else:
                plan.put(name, "ambiguous", family, api, to)
        elif graph:
            plan.put(f"tf1-{ns}-graph-mode", "graph", family, api, to)
        else:
            plan.put(f"tf1-{ns}-moved-to-compat-v1", "compat", family, api, to)
        return
    if exists:
        plan.exempt(api, "symbol", f"`{_spell(api)}` still works in TF 2.21", blocked=False)
        return
    old = (
        installed.parameters("tensorflow.compat.v1." + api[len("tensorflow.") :])
        if not contrib
        else None
    )
    new = installed.parameters(to)
    moved = _mismatch(old, new, e.keywords) if old and new else None
    if moved is not None and old and new:
        group = plan.put(
            f"tf1-{_slug(api.rsplit('.', 1)[1])}-arguments-moved", "auto-template", family, api, to
        )
        group.extra.update(old=old, new=new, renames=e.keywords, moved=moved)
        return
    name = f"tf1-{ns}-moved" if contrib else f"tf1-renamed-into-{_slug(_target_module(to))}"
    plan.put(name, "rename", family, api, to)
    renames = {k: v for k, v in e.keywords.items() if v is not None}
    if renames:
        keyword_renames.setdefault(to, {}).update(renames)


def _note_keys(e: Entry) -> list[str]:
    """Our notes for what tf_upgrade_v2 warns about or transforms for this API."""
    api = e.api
    keys: list[str] = list(EXTRA_NOTES.get(api, ()))
    if e.warning:
        keys.append(_warning_key(api, e.warning[1]))
    if e.module_warning:
        keys.append(_warning_key(api, e.module_warning[1]))
    if e.transformer in TRANSFORMER_KEYS:
        keys.append(TRANSFORMER_KEYS[e.transformer])
    if api in ARGUMENT_TRANSFORMERS:
        keys.append(ARGUMENT_TRANSFORMERS[api])
    if api.startswith("tensorflow.keras.initializers."):
        keys = ["initializer-dtype"]
    return [k for k in dict.fromkeys(keys) if NOTES[k].text or NOTES[k].message]


def _successor(api: str, dead: str | None) -> str:
    text = SUCCESSORS.get(api, "")
    if dead:
        text = (
            text + " " if text else ""
        ) + f"(`tf_upgrade_v2` writes `{_spell(dead)}`, which TensorFlow 2.21 does not have.)"
    return text


def _covered_by(api: str, handwritten: set[str]) -> bool:
    from tfmend.resolve.qualnames import canonical_names
    from tfmend.versions import Versions

    return any(name in handwritten for name in canonical_names(api, Versions()))


def _spell(qualname: str) -> str:
    """`tensorflow.math.log` → `tf.math.log`."""
    if qualname.startswith("tensorflow."):
        return "tf." + qualname[len("tensorflow.") :]
    return qualname


# --- turning groups into rules ----------------------------------------------------------------


@dataclass
class RuleText:
    """One rule as YAML-ready data."""

    family: int
    name: str
    fields: dict[str, Any]
    kind: str = ""
    code: str = ""


def _example_use(api: str) -> tuple[str, str]:
    """(imports, expression) that reach `api` the way TF1 code wrote it."""
    if api.startswith(("keras.", "tensorflow.keras.")):
        return "from tensorflow import keras", api[len("tensorflow.") :] if api.startswith(
            "tensorflow."
        ) else api
    return "import tensorflow as tf", _spell(api)


def _render(qualname: str, imports: str) -> tuple[str, str]:
    """How tfmend writes `qualname` in a file with `imports`: (import lines, expression)."""
    if qualname.startswith("keras.") and "keras" in imports:
        return imports, qualname
    if qualname.startswith("keras."):
        return "import keras", qualname
    return "import tensorflow as tf", _spell(qualname)


EXAMPLE_CALLS = {
    "tensorflow.placeholder": "(tf.float32, [None, 3])",
    "tensorflow.log": "(x)",
    "tensorflow.reduce_sum": "",
    "tensorflow.train.AdamOptimizer": "(learning_rate=0.001)",
    "tensorflow.gfile.Exists": "(path)",
    "tensorflow.random_normal": "([2, 3])",
    "tensorflow.logging.info": '("step %d", step)',
    "tensorflow.losses.mean_squared_error": "(labels, predictions)",
    "tensorflow.metrics.accuracy": "(labels, predictions)",
    "tensorflow.summary.FileWriter": '("logs")',
    "tensorflow.nn.dropout": "(x, 0.8)",
    "tensorflow.where": "(condition, x, y)",
    "tensorflow.assert_equal": "(x, y)",
    "tensorflow.random.poisson": "(lam, [10])",
    "tensorflow.image.resize": "(images, [224, 224])",
    "tensorflow.gradients": "(loss, variables)",
    "tensorflow.zeros_initializer": "()",
    "tensorflow.matrix_inverse": "(x)",
    "tensorflow.string_join": "([a, b])",
    "tensorflow.batch_to_space": "(x, crops, 2)",
}
"""Calls shown in the examples, for the API a rule's examples use."""


def _example_api(apis: Iterable[str]) -> str:
    ordered = sorted(apis, key=lambda a: (a not in EXAMPLE_CALLS, a.count("."), a))
    return next((a for a in ordered if not _instance_like(a)), ordered[0])


def _instance_like(api: str) -> bool:
    from tfmend.resolve.qualnames import instance_attribute

    return instance_attribute(api) is not None


def build_rules(plan: Plan, installed: Installed) -> list[RuleText]:
    """Every group as a rule with its message, explanation, fix, examples and probe."""
    out = []
    flagged = frozenset(plan.covered)
    for name in sorted(plan.groups):
        group = plan.groups[name]
        group.extra["flagged"] = flagged
        builder = _BUILDERS[group.kind]
        out.append(builder(group, installed))
    return out


def _wrap(text: str, width: int = 94) -> str:
    """Wrap markdown paragraphs and list items (the YAML block adds 6 columns of indent)."""
    out = []
    for block in text.split("\n\n"):
        lines = block.split("\n")
        if all(line.startswith("- ") for line in lines):
            out.append(
                "\n".join(
                    textwrap.fill(
                        line,
                        width,
                        subsequent_indent="  ",
                        break_on_hyphens=False,
                        break_long_words=False,
                    )
                    for line in lines
                )
            )
        else:
            out.append(
                textwrap.fill(
                    " ".join(lines), width, break_on_hyphens=False, break_long_words=False
                )
            )
    return "\n\n".join(out)


def _base(
    group: Group,
    *,
    status: str,
    severity: str,
    message: str,
    explanation: str,
    fix: dict[str, Any],
    invalid: list[dict[str, str]],
    valid: list[str],
    probe: dict[str, Any] | None = None,
    when: dict[str, Any] | None = None,
) -> RuleText:
    fields: dict[str, Any] = {
        "name": group.name,
        "apis": sorted(group.apis),
        **({"when": when} if when else {}),
        "status": status,
        "since": SINCE,
        "severity": severity,
        "message": message,
        "explanation": _wrap(explanation),
        "fix": fix,
        "examples": {"invalid": invalid, "valid": [{"code": v} for v in valid]},
    }
    if probe:
        fields["probe"] = probe
    return RuleText(group.family, group.name, fields, group.kind)


def _notes(group: Group) -> str:
    """Per-API notes as a list, APIs with the same note sharing one item."""
    by_text: dict[str, list[str]] = {}
    for api in sorted(group.notes):
        text = " ".join(t for t in group.notes[api] if t)
        if text:
            by_text.setdefault(text, []).append(f"`{_spell(api)}`")
    lines = [f"- {', '.join(apis)}: {text}" for text, apis in by_text.items()]
    return ("\n\n" + "\n".join(lines)) if lines else ""


def _refs(*links: str) -> str:
    return "\n\nReferences: " + ", ".join(links)


def _shadowed(api: str) -> str:
    imports, expression = _example_use(api)
    base = expression.split(".", 1)[0]
    return f"{imports}\n\n\ndef build({base}):\n    return {expression}\n"


def _replace_examples(group: Group, kind: str) -> tuple[list[dict[str, str]], list[str]]:
    flagged = group.extra.get("flagged", frozenset())
    clean = [a for a, to in group.apis.items() if to not in flagged]
    api = _example_api(clean or group.apis)
    to = group.apis[api]
    assert to is not None
    imports, expression = _example_use(api)
    new_imports, new_expression = _render(to, imports)
    call = EXAMPLE_CALLS.get(api, "")
    code = f"{imports}\nvalue = {expression}{call}\n"
    prologue = f"{new_imports}\n"
    if kind in ("graph", "ambiguous-graph"):
        prologue += "tf.compat.v1.disable_eager_execution()\n"
    fixed = f"{prologue}value = {new_expression}{call}\n"
    return [{"code": code, "fixed": fixed}], [f"{new_imports}\nvalue = {new_expression}{call}\n"]


def _map_fix(group: Group, kind: str, safety: str, reason: str | None = None) -> dict[str, Any]:
    fix: dict[str, Any] = {"kind": kind}
    default = {
        api: "tensorflow.compat.v1." + api[len("tensorflow.") :]
        for api in group.apis
        if api.startswith("tensorflow.")
    }
    mapping = {
        api: to
        for api, to in sorted(group.apis.items())
        if to is not None and not (kind == "compat-v1" and default.get(api) == to)
    }
    if mapping:
        fix["map"] = mapping
    fix["safety"] = safety
    if reason:
        fix["reason"] = reason
    return fix


def _build_compat(group: Group, installed: Installed) -> RuleText:
    invalid, valid = _replace_examples(group, "compat")
    return _base(
        group,
        status="removed",
        severity="error",
        message="`{name}` ({api}) is not in the TensorFlow 2 API; it lives on in `tf.compat.v1`",
        explanation=(
            "TensorFlow 2 removed these TF1 names from the main namespace. The same functions and "
            "classes are kept, unchanged, under `tf.compat.v1`, so the rewrite keeps the program's "
            "behaviour. They are TF1-style APIs: once the program runs, consider moving to the "
            "TF 2 equivalents described in the migration guide."
            + _notes(group)
            + _refs(MIGRATE, COMPAT_V1)
        ),
        fix=_map_fix(group, "replace", "safe"),
        invalid=invalid,
        valid=valid,
    )


def _build_graph(group: Group, installed: Installed) -> RuleText:
    invalid, valid = _replace_examples(group, "graph")
    return _base(
        group,
        status="removed",
        severity="error",
        message="`{name}` ({api}) is a TensorFlow 1.x graph-mode API: it needs `tf.compat.v1` "
        "and eager execution disabled",
        explanation=(
            "These APIs build or run TF1 graphs: placeholders fed through `Session.run`, variables "
            "created by `get_variable` in variable scopes, initializer ops, collections, queue "
            "runners, savers and graph-mode metrics and summaries. TensorFlow 2 removed them from "
            "the main namespace and executes eagerly, where they fail or do nothing.\n\n"
            "The fix renames each use to `tf.compat.v1` and adds "
            "`tf.compat.v1.disable_eager_execution()` after the file's imports (unless the file "
            "already disables eager execution or v2 behaviour), so the program keeps its TF1 "
            "semantics. Eager execution is disabled for the whole process: call it before any "
            "other TensorFlow code runs. So the call is added only to a program, never to a "
            "library module that other code imports (a module of a package, or a file another "
            'file of the project imports, unless it has an `if __name__ == "__main__":` '
            "block): there it would switch every program importing it to graph mode; the "
            "program calls it instead. Rewriting to eager TF 2 code (`tf.function`, "
            "`tf.Variable`, Keras) is the longer-term migration."
            + _notes(group)
            + _refs(
                MIGRATE, "[Migrating TF1 code](https://www.tensorflow.org/guide/migrate/tf1_vs_tf2)"
            )
        ),
        fix=_map_fix(group, "compat-v1", "safe"),
        invalid=invalid,
        valid=valid,
    )


def _build_rename(group: Group, installed: Installed) -> RuleText:
    invalid, valid = _replace_examples(group, "rename")
    modules = sorted({_target_module(to) for to in group.apis.values() if to})
    where = ", ".join(
        "`tf`" if m == "top-level" else f"`{m}`" if m.startswith("keras") else f"`tf.{m}`"
        for m in modules
    )
    probe = _find_probe(group, installed)
    return _base(
        group,
        status="renamed",
        severity="error",
        message=f"`{{name}}` ({{api}}) was renamed in TensorFlow 2; it lives in {where}",
        explanation=(
            "TensorFlow 2 reorganized the API into modules (`tf.math`, `tf.linalg`, `tf.io`, "
            "`tf.random`, `tf.sparse`, `tf.strings`, ...) and removed the old aliases. The new "
            "names take the same positional arguments, so the rewrite only changes the name; "
            "keyword arguments that were renamed too are flagged by the argument rules."
            + _notes(group)
            + _refs(MIGRATE, UPGRADE)
        ),
        fix=_map_fix(group, "replace", "safe"),
        invalid=invalid,
        valid=valid,
        probe=probe,
    )


def _build_replace_unsafe(group: Group, installed: Installed) -> RuleText:
    invalid, valid = _replace_examples(group, "rename")
    return _base(
        group,
        status="removed",
        severity="error",
        message="`{name}` ({api}) is gone in TensorFlow 2.21; it has a close replacement",
        explanation=(
            "These APIs are not in TensorFlow 2.21, and neither is the replacement `tf_upgrade_v2` "
            "writes for them. The fix uses the closest API that exists; check the difference "
            "noted below." + _notes(group) + _refs(MIGRATE)
        ),
        fix=_map_fix(group, "replace", "unsafe", group.extra["reason"]),
        invalid=invalid,
        valid=valid,
    )


def _build_ambiguous(group: Group, installed: Installed) -> RuleText:
    kind = "compat-v1" if group.kind == "ambiguous-graph" else "replace"
    invalid, valid = _replace_examples(group, group.kind)
    return _base(
        group,
        status="changed",
        severity="warning",
        message="`{name}` ({api}) behaves differently in TensorFlow 2; `tf.compat.v1` keeps the "
        "TensorFlow 1.x behaviour",
        explanation=(
            "These names still exist in TensorFlow 2, but as the TF 2 API, with different "
            "arguments or behaviour. TF1 code that uses them can break or change its results "
            "silently. `tf.compat.v1` keeps the TF1 versions, and the fix rewrites to them; code "
            "written for TF 2 is already right and should not be rewritten. In a file of TF 1.x "
            "graph-mode code (one that uses `tf.Session`, `tf.placeholder` and the like, or "
            "already disables eager execution) the name is TF 1.x code, and the fix is safe there."
            + _notes(group)
            + _refs(MIGRATE, COMPAT_V1)
        ),
        fix={
            **_map_fix(
                group,
                kind,
                "unsafe",
                "the name is valid TensorFlow 2 code too: the rewrite is right for code written "
                "for TF 1.x and wrong for code already written for TF 2",
            ),
            "safe-in-graph-code": True,
        },
        invalid=invalid,
        valid=valid,
    )


KERAS2_BASED = ("tensorflow.nn.rnn_cell.", "tensorflow.layers.", "keras.")
"""TF1 APIs whose `tf.compat.v1` versions came from Keras 2 (back with TF_USE_LEGACY_KERAS=1)."""


def _build_missing(group: Group, installed: Installed) -> RuleText:
    api = _example_api(group.apis)
    imports, expression = _example_use(api)
    return _base(
        group,
        status="removed",
        severity="error",
        message="`{name}` ({api}) is gone in TensorFlow 2.21 and has no drop-in replacement",
        explanation=(
            "These APIs do not exist in TensorFlow 2.21, and `tf_upgrade_v2` has no working "
            "replacement for them. Migrate each use by hand:"
            + _notes(group)
            + (
                "\n\n`tf.compat.v1.keras`, `tf.compat.v1.nn.rnn_cell` and `tf.compat.v1.layers` "
                "were implemented by Keras 2 and disappeared when TensorFlow switched to Keras 3. "
                "Graph-mode programs that cannot be migrated yet can install `tf-keras` and set "
                "`TF_USE_LEGACY_KERAS=1`, which brings them back."
                if any(api.startswith(KERAS2_BASED) for api in group.apis)
                else ""
            )
            + _refs(MIGRATE, "[Keras 3 migration](https://keras.io/guides/migrating_to_keras_3/)")
        ),
        fix={"kind": "manual"},
        invalid=[{"code": f"{imports}\nvalue = {expression}\n"}],
        valid=[_shadowed(api)],
    )


def _build_warning(group: Group, installed: Installed) -> RuleText:
    note = NOTES[group.extra["key"]]
    api = _example_api(group.apis)
    imports, expression = _example_use(api)
    when: dict[str, Any] | None = group.extra.get("when")
    valid = [_shadowed(api)]
    if when:
        keyword = when["keywords"][0]
        use = f"value = {expression}({keyword}={keyword})"
        valid.append(f"{imports}\nvalue = {expression}()\n")
    elif _instance_like(api) and api.startswith("keras."):
        use = 'model = keras.Model(inputs, outputs)\nmodel.save("model")'
    elif _instance_like(api):
        use = f"value = {expression}(dataset)"
    else:
        use = f"value = {expression}{EXAMPLE_CALLS.get(api) or '(x)'}"
    return _base(
        group,
        status="changed",
        severity=note.severity,
        message=note.message,
        explanation=(
            note.text
            + (
                "\n\nOnly calls passing "
                + _listing(when["keywords"], "or")
                + " are flagged (a TF1 call passing it positionally, after the other parameters, "
                "is not). There is no automatic fix: deleting the argument can change the result."
                if when
                else "\n\nThere is no automatic fix: whether a use needs changing depends on "
                "its arguments or on how its result is used."
            )
            + _notes(group)
            + _refs(MIGRATE, UPGRADE)
        ),
        fix={"kind": "manual"},
        invalid=[{"code": f"{imports}\n{use}\n"}],
        valid=valid,
        when=when,
    )


def _build_template(group: Group, installed: Installed) -> RuleText:
    (api, key), *_ = sorted(group.apis.items())
    assert key is not None
    call = TEMPLATES[key]
    imports, expression = _example_use(api)
    prologue = "import keras" if call.fixed.startswith("keras.") else "import tensorflow as tf"
    return _base(
        group,
        status="removed",
        severity="error",
        message=call.message,
        explanation=call.explanation + _notes(group) + _refs(MIGRATE),
        fix={
            "kind": "call",
            "signature": call.signature,
            "template": call.template,
            "safety": "safe",
        },
        invalid=[
            {
                "code": f"{imports}\nvalue = {expression}({call.example})\n",
                "fixed": f"{prologue}\nvalue = {call.fixed}\n",
            }
        ],
        valid=[f"{prologue}\nvalue = {call.fixed}\n"],
        probe=call.probe,
    )


def _build_auto_template(group: Group, installed: Installed) -> RuleText:
    (api, to), *_ = sorted(group.apis.items())
    assert to is not None
    old: list[tuple[str, bool]] = group.extra["old"]
    new_names = {name for name, _ in group.extra["new"]}
    renames: dict[str, str | None] = group.extra["renames"]
    moved: int = group.extra["moved"]
    signature_parts = [name if not has_default else f"{name}=None" for name, has_default in old]

    def slot(name: str) -> str | None:
        mapped = renames.get(name, name)
        return mapped if mapped is not None and mapped in new_names else None

    arguments = []
    for index, (name, has_default) in enumerate(old):
        mapped = slot(name)
        if mapped is None:
            continue
        if index < moved and not has_default:
            arguments.append(f"{{{name}}}")
        else:
            arguments.append(f"{mapped}={{{name}{'?' if has_default else ''}}}")
    dropped = [name for name, _ in old if slot(name) is None and name not in _SENTINELS]
    example_args: list[str] = []
    example_fixed: list[str] = []
    if slot(old[0][0]) is not None:
        required = sum(1 for _, has_default in old if not has_default)
        for index, (name, has_default) in enumerate(old[: max(moved + 1, required)]):
            example_args.append(name)
            mapped = slot(name)
            if mapped is not None:
                positional = index < moved and not has_default
                example_fixed.append(name if positional else f"{mapped}={name}")
    else:  # a TF1 sentinel first parameter: the function only took keywords
        chosen = [n for n, _ in old if slot(n) and slot(n) != n][:1]
        chosen = [n for n, _ in old if slot(n) and n not in chosen][:2] + chosen
        order = [n for n, _ in old if n in chosen]
        example_args = [f"{n}={n}" for n in order]
        example_fixed = [f"{slot(n)}={n}" for n in order]
    template = f"{to}({', '.join(arguments)})"
    imports, expression = _example_use(api)
    new_imports, new_expression = _render(to, imports)
    old_params = ", ".join(name for name, _ in old)
    new_params = ", ".join(name for name, _ in group.extra["new"])
    return _base(
        group,
        status="renamed",
        severity="error",
        message=f"`{{name}}` ({{api}}) was renamed to `{_spell(to)}`, whose arguments are in a "
        "different order",
        explanation=(
            f"TensorFlow 2 removed `{_spell(api)}`; `{_spell(to)}` replaces it, but its parameters "
            f"come in another order (TF1: `{old_params}`; TF 2: `{new_params}`), so a plain "
            "rename would bind positional arguments to the wrong parameters. The fix rewrites the "
            "call and passes the arguments from the first moved one on by keyword, under their "
            "TF 2 names. A reference that is not called is renamed."
            + _notes(group)
            + _refs(MIGRATE, UPGRADE)
        ),
        fix={
            "kind": "call",
            "signature": ", ".join(signature_parts),
            "template": template,
            "to": to,
            **(
                {
                    "safety": "unsafe",
                    "reason": "TF 2 has no "
                    + ", ".join(f"`{d}=`" for d in dropped)
                    + "; a call that passes it loses that argument",
                }
                if dropped
                else {"safety": "safe"}
            ),
        },
        invalid=[
            {
                "code": f"{imports}\nvalue = {expression}({', '.join(example_args)})\n",
                "fixed": f"{new_imports}\nvalue = {new_expression}({', '.join(example_fixed)})\n",
            }
        ],
        valid=[f"{new_imports}\nvalue = {new_expression}({', '.join(example_fixed)})\n"],
    )


def _build_keyword(group: Group, installed: Installed) -> RuleText:
    """Renamed keywords."""
    renames: dict[str, str] = group.extra["renames"]
    api = _example_api(group.apis)
    imports, expression = _example_use(api)
    values = "abcdefgh"
    old = ", ".join(f"{k}={values[i]}" for i, k in enumerate(sorted(renames)))
    new = ", ".join(f"{renames[k]}={values[i]}" for i, k in enumerate(sorted(renames)))
    pairs = ", ".join(f"`{k}=` is `{v}=`" for k, v in sorted(renames.items()))
    return _base(
        group,
        # The function itself still exists; only its TF1 keywords are gone.
        status="renamed",
        severity="error",
        message=f"`{{name}}` ({{api}}) renamed arguments in TensorFlow 2: {pairs}",
        explanation=(
            f"TensorFlow 2 renamed arguments of these functions and removed the TF1 names: "
            f"{pairs}. Calls using the old keywords fail with `TypeError`; the fix renames them, "
            "which keeps the meaning." + _notes(group) + _refs(MIGRATE, UPGRADE)
        ),
        fix={"kind": "keyword", "rename": dict(sorted(renames.items())), "safety": "safe"},
        invalid=[
            {
                "code": f"{imports}\ny = {expression}(x, {old})\n",
                "fixed": f"{imports}\ny = {expression}(x, {new})\n",
            }
        ],
        valid=[f"{imports}\ny = {expression}(x, {new})\n"],
        probe=next((KEYWORD_PROBES[a] for a in sorted(group.apis) if a in KEYWORD_PROBES), None),
    )


_TF2_CODE = (
    "the rewrite is right for calls written for TF 1.x, and wrong for calls already written "
)


def _build_order(group: Group, installed: Installed) -> RuleText:
    """TF1 positional arguments that bind to other TF 2 parameters: passed by keyword."""
    order: tuple[str, ...] = group.extra["positional"]
    keep: int = group.extra["keep"]
    old: list[tuple[str, bool]] = group.extra["old"]
    new: list[tuple[str, bool]] = group.extra["new"]
    api = _example_api(group.apis)
    imports, expression = _example_use(api)
    names = [name for name, _ in old]
    count = keep + min(2, len(order) - keep)
    code = f"{expression}({', '.join(names[:count])})"
    fixed_args = [*names[:keep], *(f"{order[i]}={names[i]}" for i in range(keep, count))]
    fixed = f"{expression}({', '.join(fixed_args)})"
    apis = ", ".join(f"`{_spell(a)}`" for a in sorted(group.apis))
    old_order = ", ".join(names)
    new_order = ", ".join(name for name, _ in new)
    if keep == 0:
        message = "`{name}` ({api}) takes its first arguments in another order in TensorFlow 2"
        which = "its positional arguments"
    else:
        first = "first argument" if keep == 1 else f"first {keep} arguments"
        message = f"`{{name}}` ({{api}}) takes its arguments after the {first} in another order in "
        message += "TensorFlow 2"
        which = f"positional arguments after the {first}"
    return _base(
        group,
        status="changed",
        severity="warning",
        message=message,
        explanation=(
            f"TensorFlow 2 reordered the parameters of {apis} (TF1: `({old_order})`; TF 2: "
            f"`({new_order})`), so a TF1 call passing {which} binds them to other parameters: "
            "it fails, or silently computes something else. The fix passes them by keyword, "
            "under their TF 2 names. Calls passing fewer positional arguments, or the rest by "
            "keyword, are not flagged. A call passing more positional arguments than the fix "
            "can name is left to you." + _notes(group) + _refs(MIGRATE, UPGRADE)
        ),
        fix={
            "kind": "keyword",
            "positional": list(order),
            "keep": keep,
            "safety": "unsafe",
            "reason": f"TF 2 code passes these arguments in the new order: {_TF2_CODE}for TF 2",
        },
        invalid=[
            {"code": f"{imports}\nvalue = {code}\n", "fixed": f"{imports}\nvalue = {fixed}\n"}
        ],
        valid=[f"{imports}\nvalue = {fixed}\n"],
        probe=next((ORDER_PROBES[a] for a in sorted(group.apis) if a in ORDER_PROBES), None),
    )


def _build_drop(group: Group, installed: Installed) -> RuleText:
    """A call fix deleting removed TF1 arguments whose removal keeps the behaviour."""
    (api, _), *_ = sorted(group.apis.items())
    imports, expression = _example_use(api)
    keywords: list[str] = group.extra["when"]["keywords"]
    dropped = _listing(keywords, "and")
    key = group.extra.get("key")
    message = f"`{{name}}` ({{api}}) no longer takes {_listing(keywords, 'or')} in TensorFlow 2"
    if key:
        message = NOTES[key].message
    fixed = f"{expression}({group.extra['fixed']})"
    return _base(
        group,
        status="changed",
        severity="error",
        message=message,
        explanation=(
            (NOTES[key].text + "\n\n" if key else "")
            + f"TensorFlow 2 removed {dropped} from `{_spell(api)}`: calls passing "
            + ("it" if len(keywords) == 1 else "them")
            + " fail with `TypeError`. Deleting "
            + ("it" if len(keywords) == 1 else "them")
            + " keeps the behaviour, and the fix does so (it also passes the other arguments "
            "under their TF 2 names). A call that also passes an argument the fix cannot map is "
            "left to you." + _notes(group) + _refs(MIGRATE, UPGRADE)
        ),
        fix={
            "kind": "call",
            "signature": group.extra["signature"],
            "template": group.extra["template"],
            "safety": "safe",
        },
        when=group.extra["when"],
        invalid=[
            {
                "code": f"{imports}\nvalue = {expression}({args})\n",
                "fixed": f"{imports}\nvalue = {fixed}\n",
            }
            for args in group.extra["code"]
        ],
        valid=[f"{imports}\nvalue = {fixed}\n"],
        probe=DROP_PROBES.get(api),
    )


def _build_call_fix(group: Group, installed: Installed) -> RuleText:
    """A hand-made call fix for calls passing some arguments (dropout, block sizes)."""
    (api, _), *_ = sorted(group.apis.items())
    imports, expression = _example_use(api)
    reason = group.extra.get("reason")
    fix: dict[str, Any] = {
        "kind": "call",
        "signature": group.extra["signature"],
        "template": group.extra["template"],
        "safety": "unsafe" if reason else "safe",
    }
    if reason:
        fix["reason"] = reason
    target = group.extra["template"].split("(", 1)[0]
    spelled = _spell(target)
    return _base(
        group,
        status="changed",
        severity=group.extra["severity"],
        message=group.extra["message"],
        explanation=group.extra["text"] + _notes(group) + _refs(MIGRATE, UPGRADE),
        fix=fix,
        when=group.extra["when"],
        invalid=[
            {
                "code": f"{imports}\nvalue = {expression}({code})\n",
                "fixed": f"{imports}\nvalue = {spelled}({fixed})\n",
            }
            for code, fixed in group.extra["examples"]
        ],
        valid=[f"{imports}\nvalue = {spelled}({args})\n" for args in group.extra["valid"]],
        probe=group.extra["probe"],
    )


def _listing(keywords: list[str], conjunction: str) -> str:
    """`a=`, `b=` and `c=`."""
    spelled = [f"`{k}=`" for k in keywords]
    if len(spelled) < 2:
        return "".join(spelled)
    return f"{', '.join(spelled[:-1])} {conjunction} {spelled[-1]}"


def _build_v1_arguments(group: Group, installed: Installed) -> RuleText:
    """Calls passing removed TF1 arguments (or TF1 positional ones) go to `tf.compat.v1`."""
    api = _example_api(group.apis)
    imports, expression = _example_use(api)
    code, valid = group.extra["calls"][api]
    to = group.apis[api]
    assert to is not None
    unsafe = group.kind == "v1-positional"
    when: dict[str, Any] = group.extra["when"]
    key = group.extra.get("key")
    names: list[str] = when.get("keywords", [])
    position: int | None = when.get("positional")
    more = ""
    if position is not None:
        count = position - 1
        more = f" (or more than {count} positional argument{'s' if count > 1 else ''})"
    if unsafe and names:
        message = (
            "`{name}` ({api}) computes something else in TensorFlow 2 with these arguments; "
            "`tf.compat.v1` keeps the TensorFlow 1.x behaviour"
        )
        head = f"Calls passing {_listing(names, 'or')}{more} behave differently in TensorFlow 2."
    elif unsafe:
        message = (
            f"`{{name}}` ({{api}}) lost a TensorFlow 1.x parameter at position {position}: a TF1 "
            "call passing that many positional arguments binds them to other parameters"
        )
        head = (
            "TensorFlow 2 removed a parameter of these functions (below), so a TF1 call passing "
            f"{position} or more positional arguments binds the later ones to other parameters: "
            "it fails, or silently computes something else."
        )
    else:
        message = (
            NOTES[key].message
            if key
            else (
                f"`{{name}}` ({{api}}) no longer takes {_listing(names, 'or')} in TensorFlow 2; "
                "`tf.compat.v1` keeps the TensorFlow 1.x behaviour"
            )
        )
        them = "it" if len(names) == 1 else "one of them"
        head = (
            (NOTES[key].text + "\n\n" if key else "")
            + f"TensorFlow 2 removed {_listing(names, 'and')} from these functions: calls passing "
            f"{them}{more} fail with `TypeError`, and deleting it would change what they compute."
        )
    explanation = (
        head + " The fix moves these calls to the `tf.compat.v1` version, which keeps the TF1 "
        "behaviour; migrating to the TF 2 function means rewriting the call by hand."
        + _notes(group)
        + _refs(MIGRATE, COMPAT_V1)
    )
    fix = _map_fix(
        group,
        "replace",
        "unsafe" if unsafe else "safe",
        f"a TF 2 call passing these arguments means the TF 2 behaviour: {_TF2_CODE}for TF 2"
        if unsafe
        else None,
    )
    _, v1 = _render(to, imports)
    return _base(
        group,
        status="changed",
        severity="warning" if unsafe else "error",
        message=message,
        explanation=explanation,
        fix=fix,
        when=when,
        invalid=[
            {
                "code": f"{imports}\nvalue = {expression}({code})\n",
                "fixed": f"{imports}\nvalue = {v1}({code})\n",
            }
        ],
        valid=[f"{imports}\nvalue = {expression}({valid})\n"],
    )


_BUILDERS: dict[str, Callable[[Group, Installed], RuleText]] = {
    "compat": _build_compat,
    "graph": _build_graph,
    "rename": _build_rename,
    "replace-unsafe": _build_replace_unsafe,
    "ambiguous": _build_ambiguous,
    "ambiguous-graph": _build_ambiguous,
    "missing": _build_missing,
    "warning": _build_warning,
    "template": _build_template,
    "auto-template": _build_auto_template,
    "keyword": _build_keyword,
    "order": _build_order,
    "drop": _build_drop,
    "call-fix": _build_call_fix,
    "v1-arguments": _build_v1_arguments,
    "v1-positional": _build_v1_arguments,
}

_MATRIX = "x = np.arange(6, dtype='float32').reshape(2, 3)"
KEYWORD_PROBES: dict[str, dict[str, str]] = {
    "tensorflow.reduce_sum": {
        "setup": _MATRIX,
        "old": "tf.compat.v1.reduce_sum(x, reduction_indices=1, keep_dims=True)",
        "new": "tf.reduce_sum(x, axis=1, keepdims=True)",
    },
    "tensorflow.argmax": {
        "setup": _MATRIX,
        "old": "tf.compat.v1.argmax(x, dimension=1)",
        "new": "tf.argmax(x, axis=1)",
    },
    "tensorflow.expand_dims": {
        "setup": _MATRIX,
        "old": "tf.compat.v1.expand_dims(x, dim=1)",
        "new": "tf.expand_dims(x, axis=1)",
    },
    "tensorflow.squeeze": {
        "setup": "x = np.arange(3, dtype='float32').reshape(1, 3, 1)",
        "old": "tf.compat.v1.squeeze(x, squeeze_dims=[2])",
        "new": "tf.squeeze(x, axis=[2])",
    },
    "tensorflow.norm": {
        "setup": _MATRIX,
        "old": "tf.compat.v1.norm(x, axis=1, keep_dims=True)",
        "new": "tf.norm(x, axis=1, keepdims=True)",
    },
    "tensorflow.math.count_nonzero": {
        "setup": _MATRIX,
        "old": "tf.compat.v1.math.count_nonzero(x, reduction_indices=1, keep_dims=True)",
        "new": "tf.math.count_nonzero(x, axis=1, keepdims=True)",
    },
}
"""Old/new comparisons for keyword rules: the TF1 call through `tf.compat.v1`, the fixed call."""

_GRADIENTS = (
    "x = tf.constant([1.0, 2.0, 3.0])\n"
    "old_fn = tf.function(lambda x: tf.compat.v1.{name}({y}, x, "
    "colocate_gradients_with_ops=True)[0], autograph=False)\n"
    "new_fn = tf.function(lambda x: tf.{name}({y}, x)[0], autograph=False)"
)
DROP_PROBES: dict[str, dict[str, str]] = {
    "tensorflow.nn.conv1d": {
        "setup": "x = np.arange(10, dtype='float32').reshape(1, 5, 2)\n"
        "w = np.linspace(-1, 1, 12, dtype='float32').reshape(2, 2, 3)",
        "old": "tf.compat.v1.nn.conv1d(x, w, 1, 'VALID', use_cudnn_on_gpu=False)",
        "new": "tf.nn.conv1d(x, w, 1, 'VALID')",
    },
    "tensorflow.nn.conv2d": {
        "setup": "x = np.arange(32, dtype='float32').reshape(1, 4, 4, 2)\n"
        "w = np.linspace(-1, 1, 24, dtype='float32').reshape(2, 2, 2, 3)",
        "old": "tf.compat.v1.nn.conv2d(x, w, [1, 1, 1, 1], 'VALID', use_cudnn_on_gpu=False)",
        "new": "tf.nn.conv2d(x, w, [1, 1, 1, 1], 'VALID')",
    },
    "tensorflow.zeros_like": {
        "setup": _MATRIX,
        "old": "tf.compat.v1.zeros_like(x, optimize=False)",
        "new": "tf.zeros_like(x)",
    },
    "tensorflow.ones_like": {
        "setup": _MATRIX,
        "old": "tf.compat.v1.ones_like(x, optimize=False)",
        "new": "tf.ones_like(x)",
    },
    "tensorflow.nn.embedding_lookup": {
        "setup": "params = np.arange(12, dtype='float32').reshape(4, 3)",
        "old": "tf.compat.v1.nn.embedding_lookup(params, [2, 0], validate_indices=False)",
        "new": "tf.nn.embedding_lookup(params, [2, 0])",
    },
    "tensorflow.constant": {
        "setup": "x = [[1, 2], [3, 4]]",
        "old": "tf.compat.v1.constant(x, shape=[2, 2], verify_shape=True)",
        "new": "tf.constant(x, shape=[2, 2])",
    },
    "tensorflow.gradients": {
        "setup": _GRADIENTS.format(name="gradients", y="x * x"),
        "old": "old_fn(x)",
        "new": "new_fn(x)",
    },
    "tensorflow.hessians": {
        "setup": _GRADIENTS.format(name="hessians", y="tf.reduce_sum(x * x * x)"),
        "old": "old_fn(x)",
        "new": "new_fn(x)",
    },
}
"""Old/new comparisons for the rules deleting removed arguments, by API."""

_TOP_K = (
    "predictions = np.array([[0.1, 0.9], [0.8, 0.2]], dtype='float32')\n"
    "targets = np.array([1, 1], dtype='int32')"
)
ORDER_PROBES: dict[str, dict[str, Any]] = {
    "tensorflow.argmax": {
        "setup": _MATRIX,
        "old": "tf.compat.v1.argmax(x, 1, 'a')",
        "new": "tf.argmax(x, 1, name='a')",
    },
    "tensorflow.transpose": {
        "setup": _MATRIX,
        "old": "tf.compat.v1.transpose(x, [1, 0], 't')",
        "new": "tf.transpose(x, [1, 0], name='t')",
    },
    "tensorflow.pad": {
        "setup": _MATRIX,
        "old": "tf.compat.v1.pad(x, [[1, 1], [0, 0]], 'CONSTANT', 'p')",
        "new": "tf.pad(x, [[1, 1], [0, 0]], 'CONSTANT', name='p')",
    },
    "tensorflow.gather_nd": {
        "setup": _MATRIX,
        "old": "tf.compat.v1.gather_nd(x, [[0, 1], [1, 2]], 'g')",
        "new": "tf.gather_nd(x, [[0, 1], [1, 2]], name='g')",
    },
    "tensorflow.boolean_mask": {
        "setup": _MATRIX,
        "old": "tf.compat.v1.boolean_mask(x, [True, False], 'm')",
        "new": "tf.boolean_mask(x, [True, False], name='m')",
    },
    "tensorflow.math.in_top_k": {
        "setup": _TOP_K,
        "old": "tf.compat.v1.math.in_top_k(predictions, targets, 1)",
        "new": "tf.math.in_top_k(predictions=predictions, targets=targets, k=1)",
    },
    "tensorflow.random.poisson": {
        "old": "tf.compat.v1.random.poisson(3.0, [4])",
        "new": "tf.random.poisson(lam=3.0, shape=[4])",
        "compare": ["shape", "dtype"],
    },
}
"""Old/new comparisons for the argument-order rules: the TF1 call, and the fixed one."""

_PROBE_MODULES = ("tensorflow.math.", "tensorflow.linalg.", "tensorflow.signal.")
"""Only pure numeric functions are called while looking for probes."""
_PROBE_SETUPS = (
    "x = np.linspace(0.1, 0.9, 6, dtype='float32')",
    "x = np.array([[2.0, 1.0], [1.0, 3.0]], dtype='float32')",
    "x = np.arange(6, dtype='int32')",
)


def _find_probe(group: Group, installed: Installed) -> dict[str, Any] | None:
    """An old/new comparison on a small array, for the first API where one runs and agrees."""
    import numpy as np

    tf = installed.roots["tensorflow"]
    for api, to in sorted(group.apis.items()):
        if to is None or not api.startswith("tensorflow.") or not to.startswith(_PROBE_MODULES):
            continue
        old_name = "tf.compat.v1." + api[len("tensorflow.") :]
        new_name = _spell(to)
        old = installed.resolve("tensorflow.compat.v1." + api[len("tensorflow.") :])
        new = installed.resolve(to)
        if not callable(old) or not callable(new) or isinstance(old, type):
            continue
        for setup in _PROBE_SETUPS:
            scope: dict[str, Any] = {"np": np, "tf": tf}
            try:
                exec(setup, scope)
                a = np.asarray(old(scope["x"]))
                b = np.asarray(new(scope["x"]))
            except Exception:
                continue
            numeric = a.dtype.kind in "biufc" and b.dtype.kind in "biufc"
            if (
                numeric
                and a.shape == b.shape
                and a.dtype == b.dtype
                and a.size
                and np.allclose(a, b, equal_nan=True)
            ):
                return {"setup": setup, "old": f"{old_name}(x)", "new": f"{new_name}(x)"}
    return None


# --- the rules file region --------------------------------------------------------------------


def split_region(text: str) -> tuple[str, str, str]:
    """(before, region, after) of the rules file; the region excludes the marker lines."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(BEGIN))
    end = next(i for i, line in enumerate(lines) if i > start and line.startswith(END))
    return "".join(lines[: start + 1]), "".join(lines[start + 1 : end]), "".join(lines[end:])


def read_region(region: str) -> tuple[list[dict[str, Any]], set[str]]:
    """The rules of the generated region and its retired codes."""
    retired: set[str] = set()
    for line in region.splitlines():
        if line.startswith(RETIRED):
            retired.update(c for c in line[len(RETIRED) :].replace(",", " ").split() if c != "none")
    loaded = yaml.safe_load("rules:\n" + region) or {}
    return list(loaded.get("rules") or []), retired


def handwritten_apis(before: str, after: str) -> tuple[set[str], set[str]]:
    """APIs and codes of the rules outside the generated region."""
    loaded = yaml.safe_load(before + after) or {}
    apis: set[str] = set()
    codes: set[str] = set()
    for rule in loaded.get("rules") or []:
        apis.update(rule.get("apis") or [])
        codes.add(str(rule.get("code")))
    from tfmend.resolve.qualnames import canonical_names
    from tfmend.versions import Versions

    canonical = {name for api in apis for name in canonical_names(api, Versions())}
    return apis | canonical, codes


def assign_codes(
    rules: list[RuleText], previous: list[dict[str, Any]], taken: set[str], retired: set[str]
) -> set[str]:
    """Give each rule a code: its previous one (by name, then by shared APIs) or a fresh one."""
    by_name = {str(r.get("name")): str(r.get("code")) for r in previous}
    by_api: dict[str, str] = {}
    for r in previous:
        for api in r.get("apis") or []:
            by_api.setdefault(api, str(r.get("code")))
    used = set(taken)
    for rule in rules:
        code = by_name.get(rule.name)
        if code and code not in used:
            rule.code = code
            used.add(code)
    for rule in rules:
        if rule.code:
            continue
        votes: dict[str, int] = {}
        for api in rule.fields["apis"]:
            if api in by_api:
                votes[by_api[api]] = votes.get(by_api[api], 0) + 1
        for code, _ in sorted(votes.items(), key=lambda kv: -kv[1]):
            if code not in used and code.startswith(f"TFM{rule.family}"):
                rule.code = code
                used.add(code)
                break
    # A previous code not kept by its rule is retired below: never hand it to a new rule.
    blocked = used | retired | {str(r.get("code")) for r in previous}
    for rule in rules:
        if not rule.code:
            rule.code = _fresh(rule.family, blocked)
            blocked.add(rule.code)
    now = {rule.code for rule in rules}
    return retired | ({str(r.get("code")) for r in previous} - now)


def _fresh(family: int, blocked: set[str]) -> str:
    """The lowest free code of a family: TFM{family}01..99, then four digits."""
    floor = 40 if family == 3 else 1  # hand-written contrib rules use TFM301..TFM339
    candidates = [f"TFM{family}{n:02d}" for n in range(floor, 100)]
    candidates += [f"TFM{family}{n:03d}" for n in range(1000)]
    for code in candidates:
        if code not in blocked:
            return code
    raise RuntimeError(f"family TFM{family}xx is full")


# --- YAML output ------------------------------------------------------------------------------


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.\-]*", value) and value not in (
            "true",
            "false",
            "null",
            "yes",
            "no",
            "on",
            "off",
        ):
            return value
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value)


def _flow_list(items: list[str], indent: int) -> str:
    lines: list[str] = []
    current = "["
    for index, item in enumerate(items):
        piece = _scalar(item) + ("," if index < len(items) - 1 else "]")
        if len(current) + len(piece) + indent > 98 and current != "[":
            lines.append(current.rstrip())
            current = " " * 2
        current += piece + " "
    lines.append(current.rstrip())
    return ("\n" + " " * indent).join(lines)


def _block(text: str, indent: int) -> str:
    pad = " " * indent
    body = "\n".join((pad + line) if line else "" for line in text.rstrip("\n").split("\n"))
    return "|\n" + body


def render_rule(rule: RuleText) -> str:
    """One rule as YAML lines (two-space list indentation, like the rest of rules.yaml)."""
    f = rule.fields
    out = [f"  - code: {rule.code}", f"    name: {f['name']}"]
    out.append(f"    apis: {_flow_list(f['apis'], 6)}")
    if "when" in f:
        when = f["when"]
        parts = []
        if "keywords" in when:
            parts.append("keywords: [" + ", ".join(_scalar(k) for k in when["keywords"]) + "]")
        if "positional" in when:
            parts.append(f"positional: {when['positional']}")
        out.append("    when: {" + ", ".join(parts) + "}")
    out.append(f"    status: {f['status']}")
    out.append(
        "    since: {" + ", ".join(f"{k}: {json.dumps(v)}" for k, v in f["since"].items()) + "}"
    )
    out.append(f"    severity: {f['severity']}")
    out.append(f"    message: {_scalar(f['message'])}")
    out.append(f"    explanation: {_block(f['explanation'], 6)}")
    fix = f["fix"]
    out.append("    fix:")
    for key, value in fix.items():
        if isinstance(value, dict):
            out.append(f"      {key}:")
            out.extend(f"        {_scalar(k)}: {_scalar(v)}" for k, v in value.items())
        elif isinstance(value, list):
            out.append(f"      {key}: {_flow_list(value, 8)}")
        else:
            out.append(f"      {key}: {_scalar(value)}")
    out.append("    examples:")
    for group in ("invalid", "valid"):
        examples = f["examples"][group]
        if not examples:
            continue
        out.append(f"      {group}:")
        for example in examples:
            out.append(f"        - code: {_block(example['code'], 12)}")
            if "fixed" in example:
                out.append(f"          fixed: {_block(example['fixed'], 12)}")
    if "probe" in f:
        out.append("    probe:")
        out.extend(f"      {k}: {_scalar(v)}" for k, v in f["probe"].items())
    return "\n".join(out) + "\n"


_FAMILY_ORDER = {1: 0, 3: 1, 2: 2, 7: 3}
_KIND_ORDER = (
    "graph",
    "compat",
    "rename",
    "template",
    "auto-template",
    "ambiguous-graph",
    "ambiguous",
    "replace-unsafe",
    "missing",
    "keyword",
    "order",
    "drop",
    "call-fix",
    "v1-arguments",
    "v1-positional",
    "warning",
)
"""New codes go to the most common kinds of change first."""


def render_region(rules: list[RuleText], retired: set[str]) -> str:
    """The generated region: retired codes, then symbol, argument and behaviour rules."""
    ordered = sorted(rules, key=lambda r: (_FAMILY_ORDER[r.family], len(r.code), r.code))
    codes = ", ".join(sorted(retired, key=lambda c: (len(c), c))) or "none"
    return f"{RETIRED} {codes}\n" + "".join(render_rule(r) for r in ordered)


# --- entry points -----------------------------------------------------------------------------


def generate(text: str) -> tuple[str, Plan]:
    """The rules file text with a freshly generated region, and the plan behind it."""
    before, region, after = split_region(text)
    previous, retired = read_region(region)
    handwritten, taken = handwritten_apis(before, after)
    installed = Installed()
    plan = plan_rules(read_tables(), installed, handwritten)
    rules = sorted(
        build_rules(plan, installed), key=lambda r: (r.family, _KIND_ORDER.index(r.kind), r.name)
    )
    retired = assign_codes(rules, previous, taken, retired)
    return before + render_region(rules, retired) + after, plan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the region is stale")
    parser.add_argument("--rules", type=Path, default=RULES, help="the rules file (rules.yaml)")
    args = parser.parse_args(argv)
    text = args.rules.read_text(encoding="utf-8")
    new_text, plan = generate(text)
    count = len(plan.groups)
    if args.check:
        if new_text != text:
            sys.stderr.write(
                f"{args.rules}: the generated TF1 rules are stale; run: "
                "python scripts/generate_tf1_rules.py\n"
            )
            return 1
        return 0
    current = args.rules.read_text(encoding="utf-8")  # read again: others may have edited it
    before, _, after = split_region(current)
    _, region, _ = split_region(new_text)
    args.rules.write_text(before + region + after, encoding="utf-8")
    blocked = sum(1 for e in plan.exemptions if e.blocked)
    sys.stdout.write(
        f"{count} generated rules covering {len(plan.covered)} APIs; "
        f"{len(plan.exemptions)} aspects left out ({blocked} need the engine)\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

using System.ComponentModel.DataAnnotations;

namespace DiGA.Core.Training;

/// <summary>Options shared by every training stage: length, batch, optimiser, teacher and bookkeeping.</summary>
/// <remarks>Defaults are the reference GTA5 → Cityscapes values (SGD, 80k iterations, poly 0.9, EMA cap 0.999).</remarks>
public sealed class StageOptions
{
    /// <summary>Gets or sets the number of iterations.</summary>
    /// <value>The default value is 80000.</value>
    [Range(1, 100_000_000)]
    public int Iterations { get; set; } = 80_000;

    /// <summary>Gets or sets the number of source images per iteration (and of target images where the stage uses them).</summary>
    /// <value>The default value is 3 (the reference's 1 low-res + 2 high-res crops).</value>
    [Range(1, 4096)]
    public int BatchSize { get; set; } = 3;

    /// <summary>Gets or sets the optimiser.</summary>
    /// <value>The default value is <see cref="OptimizerKind.Sgd"/>.</value>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Sgd;

    /// <summary>Gets or sets the base learning rate of the backbone group; other groups use the model's multipliers (head 10×).</summary>
    /// <value>The default value is 2.5e-4.</value>
    [Range(0.0, 10.0)]
    public double LearningRate { get; set; } = 2.5e-4;

    /// <summary>Gets or sets the SGD momentum.</summary>
    /// <value>The default value is 0.9.</value>
    [Range(0.0, 1.0)]
    public double Momentum { get; set; } = 0.9;

    /// <summary>Gets or sets the weight decay.</summary>
    /// <value>The default value is 5e-4.</value>
    [Range(0.0, 1.0)]
    public double WeightDecay { get; set; } = 5e-4;

    /// <summary>Gets or sets the learning-rate schedule.</summary>
    /// <value>The default value is <see cref="LearningRateScheduleKind.Poly"/>.</value>
    public LearningRateScheduleKind Schedule { get; set; } = LearningRateScheduleKind.Poly;

    /// <summary>Gets or sets the power of the poly schedule.</summary>
    /// <value>The default value is 0.9.</value>
    [Range(0.0, 10.0)]
    public double PolyPower { get; set; } = 0.9;

    /// <summary>Gets or sets the cap of the EMA teacher's momentum, α_i = min(1 − 1/(i+1), cap).</summary>
    /// <value>The default value is 0.999; schedules of a few hundred iterations need about 0.99.</value>
    [Range(0.0, 1.0)]
    public double EmaCap { get; set; } = 0.999;

    /// <summary>Gets or sets whether the EMA update also copies the student's buffers (BatchNorm statistics) into the teacher.</summary>
    /// <value>The default value is <see langword="false"/> (the reference averages parameters only).</value>
    public bool EmaUpdatesBuffers { get; set; }

    /// <summary>Gets or sets whether validation, the best checkpoint and the stage's result use the EMA teacher instead of the student.</summary>
    /// <value>The default value is <see langword="false"/> (the reference evaluates the student).</value>
    public bool EvaluateTeacher { get; set; }

    /// <summary>Gets or sets how often (in iterations) losses are read back to the host, checked for NaN/Inf and reported.</summary>
    /// <value>The default value is 10.</value>
    [Range(1, 1_000_000)]
    public int LogInterval { get; set; } = 10;

    /// <summary>Gets or sets how often (in iterations) the model is validated; 0 validates only at the end.</summary>
    /// <value>The default value is 1000.</value>
    [Range(0, 100_000_000)]
    public int ValidationInterval { get; set; } = 1000;

    /// <summary>Gets or sets how often (in iterations) the last-state checkpoint is written; 0 writes it only on cancellation and at the end.</summary>
    /// <value>The default value is 1000.</value>
    [Range(0, 100_000_000)]
    public int CheckpointInterval { get; set; } = 1000;
}

/// <summary>The optimiser of a training stage.</summary>
public enum OptimizerKind
{
    /// <summary>SGD with momentum and weight decay (the reference).</summary>
    Sgd,

    /// <summary>AdamW; suits small models trained from scratch for a few hundred iterations.</summary>
    AdamW,
}

/// <summary>The learning-rate schedule of a training stage.</summary>
public enum LearningRateScheduleKind
{
    /// <summary><c>lr_i = base · (1 − i / N)^power</c> (the reference).</summary>
    Poly,

    /// <summary><c>lr_i = base · i / N</c>, never decaying: what the released SYNTHIA warm-up script runs.</summary>
    LinearRamp,

    /// <summary>A constant learning rate.</summary>
    Constant,
}

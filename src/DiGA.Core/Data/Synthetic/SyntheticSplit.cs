namespace DiGA.Core.Data.Synthetic;

/// <summary>The three sets of the synthetic domain-shift benchmark.</summary>
public enum SyntheticSplit
{
    /// <summary>The labelled source ("game-like") training set.</summary>
    Source,

    /// <summary>The target ("real-like") training set; its labels exist for evaluation and the oracle only.</summary>
    TargetTrain,

    /// <summary>The target validation set.</summary>
    TargetVal,
}

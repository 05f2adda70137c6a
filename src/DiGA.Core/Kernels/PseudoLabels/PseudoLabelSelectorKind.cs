namespace DiGA.Core.Kernels.PseudoLabels;

/// <summary>The built-in pseudo-label selectors.</summary>
public enum PseudoLabelSelectorKind
{
    /// <summary>DiGA's threshold-free dynamic selection: keep a pixel where its offline label equals the nearest class centroid's label (<see cref="DynamicPseudoLabelSelector"/>).</summary>
    Dynamic,

    /// <summary>Keep pixels whose teacher confidence reaches a fixed threshold (<see cref="FixedThresholdSelector"/>).</summary>
    FixedThreshold,

    /// <summary>CBST's class-balanced thresholds: keep a pixel where its offline label is the teacher's class-normalised label (<see cref="ClassBalancedSelector"/>).</summary>
    ClassBalanced,
}

namespace DiGA.Core.Training;

/// <summary>Which state of a training stage the model holds when the stage returns, and so which state starts the next pseudo-labels, centroids and stage.</summary>
public enum CarriedModel
{
    /// <summary>The state after the stage's last iteration. Uses no target labels.</summary>
    Last,

    /// <summary>
    /// The stage's best checkpoint on the validation set (<c>best.ckpt</c>), as the reference does. The selection uses the
    /// target validation labels, which true unsupervised domain adaptation does not have; a stage run without a validation
    /// set throws.
    /// </summary>
    BestOnValidation,
}

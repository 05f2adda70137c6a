namespace DiGA.Core.Models.Weights;

/// <summary>Options of <see cref="WeightImporter"/>: strictness and the mapping from file keys to model keys.</summary>
/// <remarks>
/// Each file key is mapped in this order: <see cref="StripFirstKeyComponent"/>; <see cref="SourcePrefix"/> (keys without it
/// are skipped, the prefix is removed); <see cref="SkipSourcePrefixes"/>; <see cref="Renames"/>, in order;
/// <see cref="TargetPrefix"/>; then <see cref="Concatenations"/> join split tensors.
/// </remarks>
public sealed class WeightImportOptions
{
    /// <summary>Gets or sets a value indicating whether any missing, unexpected or mismatched key fails the load (nothing is copied then).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Strict { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether the first dot-separated component of every file key is removed (<c>Scale.conv1.weight</c> → <c>conv1.weight</c>).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool StripFirstKeyComponent { get; set; }

    /// <summary>Gets or sets the prefix of the file keys to load, removed from them; keys without it are skipped (for example <c>ema_model.</c> in a DAFormer training checkpoint). <see langword="null"/> loads every key.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? SourcePrefix { get; set; }

    /// <summary>Gets or sets the regular-expression rewrites applied, in order, to each file key that is not skipped.</summary>
    /// <value>The default value is empty.</value>
    public IList<WeightKeyRename> Renames { get; set; } = [];

    /// <summary>Gets or sets a prefix put before every file key after the rewrites (for example <c>backbone.</c> for encoder-only ImageNet weights).</summary>
    /// <value>The default value is empty.</value>
    public string TargetPrefix { get; set; } = string.Empty;

    /// <summary>Gets or sets the model tensors stored as several concatenated file tensors (matched after the rewrites and <see cref="TargetPrefix"/>).</summary>
    /// <value>The default value is empty.</value>
    public IList<WeightKeyConcatenation> Concatenations { get; set; } = [];

    /// <summary>Gets or sets file-key prefixes (after stripping) whose entries are dropped, for example <c>layer5.</c>.</summary>
    /// <value>The default value is empty.</value>
    public IList<string> SkipSourcePrefixes { get; set; } = [];

    /// <summary>Gets or sets model-key prefixes that are not reported missing when the file lacks them (for example the head).</summary>
    /// <value>The default value is empty.</value>
    public IList<string> IgnoreMissingPrefixes { get; set; } = [];

    /// <summary>Gets or sets a value indicating whether BatchNorm <c>num_batches_tracked</c> counters may be absent from the file (old checkpoints).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AllowMissingBatchCounters { get; set; }

    /// <summary>
    /// Creates the options of the reference DeepLab ImageNet initialisation: strip the first key component (<c>Scale.</c>),
    /// skip <c>layer5.*</c> (the old classifier), load the backbone only (the head <c>layer5.*</c> keeps its initialisation),
    /// tolerate missing <c>num_batches_tracked</c>; strict otherwise.
    /// </summary>
    /// <returns>New options.</returns>
    public static WeightImportOptions ForDeepLabImageNetInitialization() => new()
    {
        Strict = true,
        StripFirstKeyComponent = true,
        SkipSourcePrefixes = ["layer5."],
        IgnoreMissingPrefixes = ["layer5."],
        AllowMissingBatchCounters = true,
    };

    /// <summary>
    /// Creates the options that load a segmentation checkpoint saved by the DiGA authors' training scripts
    /// (<c>student.pth</c>, <c>teacher.pth</c>: a plain state dictionary of their DeepLabV2 wrapper) into a
    /// <c>deeplabv2-resnet101</c> model. The wrapper's stem <c>layer0.0.*</c> (convolution) and <c>layer0.1.*</c>
    /// (BatchNorm) become <c>conv1.*</c> and <c>bn1.*</c>, its head <c>final.*</c> becomes <c>layer5.*</c>;
    /// <c>layer1</c> … <c>layer4</c> keep their names. Strict, BatchNorm buffers included.
    /// </summary>
    /// <remarks>
    /// A wrapper built with the optional BatchNorm after the backbone (<c>bn_pretrain.*</c>, not used by the released
    /// scripts) has no counterpart in DiGA.Core and fails the strict load as unexpected keys.
    /// </remarks>
    /// <param name="prefix">The prefix of the wrapper's keys in the file (for example <c>module.</c> when the model was saved
    /// wrapped in <c>DataParallel</c>; keys without it are skipped), or <see langword="null"/> for the authors' plain files.</param>
    /// <returns>New options.</returns>
    public static WeightImportOptions ForDiGAReferenceCheckpoint(string? prefix = null) => new()
    {
        Strict = true,
        SourcePrefix = prefix,
        Renames =
        [
            new(@"^layer0\.0\.", "conv1."),
            new(@"^layer0\.1\.", "bn1."),
            new(@"^final\.", "layer5."),
        ],
    };

    /// <summary>
    /// Creates the options that load one of the translator files saved by the DiGA authors' stage 0 (<c>enc_s.pth</c>,
    /// the source encoder, or <c>dec_s2t.pth</c>, the source-to-target decoder) into the matching network of
    /// <see cref="Translation.Learned.LearnedTranslator"/>. The key names are the same on both sides
    /// (<c>model.0.conv.weight</c> …); the load is strict.
    /// </summary>
    /// <param name="prefix">The prefix of the network's keys in the file (for example <c>module.</c>; keys without it are
    /// skipped), or <see langword="null"/> for the authors' plain files.</param>
    /// <returns>New options.</returns>
    public static WeightImportOptions ForDiGAReferenceTranslator(string? prefix = null) => new()
    {
        Strict = true,
        SourcePrefix = prefix,
    };

    /// <summary>
    /// Creates the options that load SegFormer's ImageNet Mix Transformer weights (<c>mit_b0.pth</c> … <c>mit_b5.pth</c>, keys
    /// <c>patch_embed1.proj.weight</c>, <c>block1.0.attn.kv.weight</c>, …, <c>norm4.bias</c>, plus the classifier <c>head.*</c>)
    /// into the encoder of a Mix Transformer model: <c>head.*</c> is skipped, <c>backbone.</c> is prepended, and the decoder
    /// (<c>decode_head.*</c>) keeps its initialisation; strict for the encoder.
    /// </summary>
    /// <returns>New options.</returns>
    public static WeightImportOptions ForMixTransformerImageNet() => new()
    {
        Strict = true,
        SkipSourcePrefixes = ["head."],
        TargetPrefix = "backbone.",
        IgnoreMissingPrefixes = ["decode_head."],
    };

    /// <summary>
    /// Creates the options that load an mmseg SegFormer segmentation checkpoint (keys <c>backbone.*</c> and
    /// <c>decode_head.linear_c1</c>…<c>linear_c4</c>, <c>linear_fuse</c>, <c>linear_pred</c>) into a <c>mit-bX+segformer</c>
    /// model; the unused <c>decode_head.conv_seg.*</c> of mmseg's base head is skipped. Strict.
    /// </summary>
    /// <param name="prefix">The prefix of the model's keys in the file (for example <c>model.</c>), or <see langword="null"/> when the keys start with <c>backbone.</c>.</param>
    /// <returns>New options.</returns>
    public static WeightImportOptions ForSegFormerCheckpoint(string? prefix = null) => new()
    {
        Strict = true,
        SourcePrefix = prefix,
        SkipSourcePrefixes = ["decode_head.conv_seg."],
    };

    /// <summary>
    /// Creates the options that load a DAFormer segmentation checkpoint (keys <c>backbone.*</c>, <c>decode_head.embed_layers.*</c>,
    /// <c>decode_head.fuse_layer.*</c>, <c>decode_head.conv_seg.*</c>) into a <c>mit-bX+daformer</c> model. A DAFormer
    /// training checkpoint holds the student under <c>model.</c>, the EMA teacher under <c>ema_model.</c> and the frozen
    /// ImageNet copy under <c>imnet_model.</c>: pass the one to load as <paramref name="prefix"/>; the others are skipped. Strict.
    /// </summary>
    /// <param name="prefix">The prefix to load (<c>model.</c>, <c>ema_model.</c>, <c>imnet_model.</c>), or <see langword="null"/> for a plain mmseg checkpoint.</param>
    /// <returns>New options.</returns>
    public static WeightImportOptions ForDAFormerCheckpoint(string? prefix = null) => new()
    {
        Strict = true,
        SourcePrefix = prefix,
    };

    /// <summary>
    /// Creates the options that load a Hugging Face <c>transformers</c> SegFormer checkpoint (safetensors or
    /// <c>pytorch_model.bin</c>; keys <c>segformer.encoder.patch_embeddings.N.*</c>, <c>segformer.encoder.block.N.M.*</c> with
    /// <c>attention.self.query/key/value/sr/layer_norm</c>, <c>attention.output.dense</c>, <c>mlp.dense1/dwconv.dwconv/dense2</c>,
    /// <c>layer_norm_1/2</c>, <c>segformer.encoder.layer_norm.N</c>; head <c>decode_head.linear_c.N.proj</c>,
    /// <c>linear_fuse</c>, <c>batch_norm</c>, <c>classifier</c>) into a <c>mit-bX+segformer</c> model. Keys and values are
    /// concatenated into <c>attn.kv</c>; an image classifier's <c>classifier.*</c> is skipped. Strict.
    /// </summary>
    /// <param name="encoderOnly"><see langword="true"/> for an encoder-only file (for example the ImageNet <c>nvidia/mit-bX</c> models): the decoder keeps its initialisation.</param>
    /// <returns>New options.</returns>
    public static WeightImportOptions ForHuggingFaceSegFormer(bool encoderOnly = false)
    {
        var renames = new List<WeightKeyRename>();
        for (var i = 0; i < 4; i++)
        {
            renames.Add(new($@"^segformer\.encoder\.patch_embeddings\.{i}\.layer_norm\.", $"backbone.patch_embed{i + 1}.norm."));
            renames.Add(new($@"^segformer\.encoder\.patch_embeddings\.{i}\.", $"backbone.patch_embed{i + 1}."));
            renames.Add(new($@"^segformer\.encoder\.block\.{i}\.", $"backbone.block{i + 1}."));
            renames.Add(new($@"^segformer\.encoder\.layer_norm\.{i}\.", $"backbone.norm{i + 1}."));
            renames.Add(new($@"^decode_head\.linear_c\.{i}\.", $"decode_head.linear_c{i + 1}."));
        }

        renames.AddRange(
        [
            new(@"\.attention\.self\.query\.", ".attn.q."),
            new(@"\.attention\.self\.key\.", ".attn.k."),
            new(@"\.attention\.self\.value\.", ".attn.v."),
            new(@"\.attention\.self\.sr\.", ".attn.sr."),
            new(@"\.attention\.self\.layer_norm\.", ".attn.norm."),
            new(@"\.attention\.output\.dense\.", ".attn.proj."),
            new(@"\.mlp\.dense1\.", ".mlp.fc1."),
            new(@"\.mlp\.dense2\.", ".mlp.fc2."),
            new(@"\.layer_norm_1\.", ".norm1."),
            new(@"\.layer_norm_2\.", ".norm2."),
            new(@"^decode_head\.linear_fuse\.", "decode_head.linear_fuse.conv."),
            new(@"^decode_head\.batch_norm\.", "decode_head.linear_fuse.bn."),
            new(@"^decode_head\.classifier\.", "decode_head.linear_pred."),
        ]);
        return new WeightImportOptions
        {
            Strict = true,
            SkipSourcePrefixes = ["classifier."],
            Renames = renames,
            Concatenations = [new WeightKeyConcatenation(".attn.kv.", [".attn.k.", ".attn.v."])],
            IgnoreMissingPrefixes = encoderOnly ? ["decode_head."] : [],
        };
    }
}

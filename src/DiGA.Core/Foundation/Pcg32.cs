namespace DiGA.Core.Foundation;

/// <summary>A small, fast, seedable PCG-XSH-RR 32-bit generator with helpers; deterministic on every platform.</summary>
internal struct Pcg32
{
    private const ulong Multiplier = 6364136223846793005UL;
    private ulong _state;
    private readonly ulong _increment;

    public Pcg32(ulong seed, ulong stream = 0xDA3E39CB94B95BDBUL)
    {
        _increment = (stream << 1) | 1UL;
        _state = 0;
        NextUInt();
        _state += seed;
        NextUInt();
    }

    /// <summary>Mixes values into one 64-bit seed (SplitMix64 finaliser chain).</summary>
    public static ulong Hash(ulong a, ulong b = 0, ulong c = 0, ulong d = 0)
    {
        var h = Mix(a + 0x9E3779B97F4A7C15UL);
        h = Mix(h ^ (b + 0xBF58476D1CE4E5B9UL));
        h = Mix(h ^ (c + 0x94D049BB133111EBUL));
        return Mix(h ^ (d + 0x2545F4914F6CDD1DUL));
    }

    public uint NextUInt()
    {
        var old = _state;
        _state = unchecked((old * Multiplier) + _increment);
        var xorShifted = (uint)(((old >> 18) ^ old) >> 27);
        var rot = (int)(old >> 59);
        return (xorShifted >> rot) | (xorShifted << ((-rot) & 31));
    }

    /// <summary>A uniform double in [0, 1).</summary>
    public double NextDouble() => (((ulong)NextUInt() << 21) ^ NextUInt()) * (1.0 / (1UL << 53));

    /// <summary>A uniform float in [0, 1) with 24 bits of resolution (one draw; for per-pixel noise).</summary>
    public float NextFloat() => (NextUInt() >> 8) * (1f / 16777216f);

    /// <summary>Two independent standard normal variates (Box–Muller, both branches).</summary>
    public (float First, float Second) GaussianPair()
    {
        var u1 = 1f - NextFloat();
        var u2 = NextFloat();
        var radius = MathF.Sqrt(-2f * MathF.Log(u1));
        var (sin, cos) = MathF.SinCos(2f * MathF.PI * u2);
        return (radius * cos, radius * sin);
    }

    /// <summary>A uniform float in [min, max).</summary>
    public float Uniform(double min, double max) => (float)(min + ((max - min) * NextDouble()));

    /// <summary>A uniform integer in [min, maxExclusive).</summary>
    public int Next(int min, int maxExclusive) => maxExclusive <= min ? min : min + (int)(NextDouble() * (maxExclusive - min));

    public bool Chance(double p) => NextDouble() < p;

    /// <summary>A Poisson variate (Knuth's method; fine for small means).</summary>
    public int Poisson(double mean)
    {
        var limit = Math.Exp(-mean);
        var k = 0;
        var p = NextDouble();
        while (p > limit)
        {
            k++;
            p *= NextDouble();
        }

        return k;
    }

    private static ulong Mix(ulong z)
    {
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}

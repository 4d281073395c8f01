namespace SegBridge.Imaging.Codecs;

/// <summary>
/// Turns wide samples into the 8-bit samples every model sees. Scientific data (12-bit
/// microscopy in 16-bit containers, float intensities) rarely uses the full type range, so wide
/// types are stretched from the data's own min..max to 0..255; a constant image maps to 0.
/// </summary>
internal static class SampleConversion
{
    /// <summary>Keeps the first <paramref name="keep"/> of every <paramref name="channels"/> interleaved samples (drops alpha).</summary>
    public static T[] KeepChannels<T>(T[] samples, int channels, int keep)
    {
        if (channels == keep) return samples;
        long pixels = samples.LongLength / channels;
        var kept = new T[pixels * keep];
        for (long p = 0; p < pixels; p++)
            for (int c = 0; c < keep; c++)
                kept[p * keep + c] = samples[p * channels + c];
        return kept;
    }

    public static byte[] StretchToBytes(ushort[] samples)
    {
        if (samples.Length == 0) return [];
        int min = ushort.MaxValue, max = 0;
        foreach (var v in samples) { if (v < min) min = v; if (v > max) max = v; }
        var result = new byte[samples.LongLength];
        if (max == min) return result;
        double scale = 255.0 / (max - min);
        for (long i = 0; i < samples.LongLength; i++) result[i] = (byte)Math.Round((samples[i] - min) * scale);
        return result;
    }

    /// <summary>NaN or infinity has no place on a 0..255 scale, so it is an input error, reported with <paramref name="describeBadValue"/>.</summary>
    public static byte[] StretchToBytes(float[] samples, Func<long, float, Exception> describeBadValue)
    {
        if (samples.Length == 0) return [];
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (long i = 0; i < samples.LongLength; i++)
        {
            float v = samples[i];
            if (!float.IsFinite(v)) throw describeBadValue(i, v);
            if (v < min) min = v;
            if (v > max) max = v;
        }
        var result = new byte[samples.LongLength];
        if (max == min) return result;
        double scale = 255.0 / (max - min);
        for (long i = 0; i < samples.LongLength; i++) result[i] = (byte)Math.Round((samples[i] - min) * scale);
        return result;
    }
}

namespace SegBridge.Imaging.Volumes;

/// <summary>
/// The voxel → world matrix a header describes, chosen as nibabel does: the sform when sform_code > 0,
/// else the qform (quaternion, offsets, pixdim and qfac) when qform_code > 0, else plain spacing.
/// </summary>
public static class NiftiAffine
{
    public static double[,] Of(NiftiHeader h)
    {
        if (h.SformCode > 0)
            return new double[,]
            {
                { h.SrowX[0], h.SrowX[1], h.SrowX[2], h.SrowX[3] },
                { h.SrowY[0], h.SrowY[1], h.SrowY[2], h.SrowY[3] },
                { h.SrowZ[0], h.SrowZ[1], h.SrowZ[2], h.SrowZ[3] },
                { 0, 0, 0, 1 },
            };
        if (h.QformCode > 0) return FromQuaternion(h);
        return new double[,] { { h.PixDim[1], 0, 0, 0 }, { 0, h.PixDim[2], 0, 0 }, { 0, 0, h.PixDim[3], 0 }, { 0, 0, 0, 1 } };
    }

    /// <summary>NIfTI-1 "method 2": rotation from (b, c, d) with a = sqrt(1 − b² − c² − d²), zoomed by pixdim, z flipped by qfac.</summary>
    private static double[,] FromQuaternion(NiftiHeader h)
    {
        double b = h.QuaternB, c = h.QuaternC, d = h.QuaternD;
        double aa = 1 - (b * b + c * c + d * d);
        double a;
        if (aa < 1e-7)
        {
            // Float rounding can push |(b, c, d)| just past 1: a 180° rotation; renormalise as nibabel does.
            double norm = Math.Sqrt(b * b + c * c + d * d);
            (a, b, c, d) = (0, b / norm, c / norm, d / norm);
        }
        else a = Math.Sqrt(aa);
        double qfac = h.PixDim[0] < 0 ? -1 : 1;
        double sx = h.PixDim[1], sy = h.PixDim[2], sz = h.PixDim[3] * qfac;
        return new double[,]
        {
            { (a * a + b * b - c * c - d * d) * sx, 2 * (b * c - a * d) * sy, 2 * (b * d + a * c) * sz, h.QoffsetX },
            { 2 * (b * c + a * d) * sx, (a * a + c * c - b * b - d * d) * sy, 2 * (c * d - a * b) * sz, h.QoffsetY },
            { 2 * (b * d - a * c) * sx, 2 * (c * d + a * b) * sy, (a * a + d * d - c * c - b * b) * sz, h.QoffsetZ },
            { 0, 0, 0, 1 },
        };
    }
}

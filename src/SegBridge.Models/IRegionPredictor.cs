using SegBridge.Imaging.Rasters;

namespace SegBridge.Models;

/// <summary>
/// A model that predicts a foreground probability map for any image region without interactions (a guide
/// model: tissue, tumour), run by the engine tile by tile over regions of any size (see
/// <c>SegBridge.Engine.Inference.RegionInference</c>). A learned model implements <see cref="Prepare"/> by
/// returning itself (or a per-run wrapper) and ignores the overview; a classical one may use the overview for
/// whole-region statistics, so that every tile sees the same rule and tiles leave no seams.
/// </summary>
public interface IRegionPredictor
{
    RegionPredictorSpec Spec { get; }

    /// <summary>
    /// Called once per run, before any tile, with the whole region at most <see cref="RegionPredictorSpec.OverviewSize"/>
    /// pixels on its long side (null when that is 0). Returns the predictor for this run's tiles.
    /// </summary>
    ITilePredictor Prepare(ImageRaster? overview, CancellationToken cancellationToken);
}

/// <summary>Predicts one tile; called for the tiles of one run in order, from one thread.</summary>
public interface ITilePredictor
{
    /// <summary>Foreground probability in [0, 1] per pixel of <paramref name="tile"/> (RGB), row-major, tile.Width·tile.Height values.</summary>
    float[] Predict(ImageRaster tile, CancellationToken cancellationToken);

    /// <summary>What the run decided (e.g. the threshold chosen from the overview), for logs and replies.</summary>
    string? Notes { get; }
}

/// <summary>
/// How a region predictor wants to be run.
/// </summary>
/// <param name="TileSize">Model input edge in working pixels (tiles are TileSize² except on regions smaller than that).</param>
/// <param name="Overlap">Working pixels shared by neighbouring tiles and blended (enough for the model's receptive field at tile borders).</param>
/// <param name="DefaultMpp">Working resolution (µm per pixel) the model was made for, used when the caller gives none.</param>
/// <param name="OverviewSize">Long side of the overview passed to <see cref="IRegionPredictor.Prepare"/>; 0 for none.</param>
/// <param name="ClassName">Class of the output polygons (QuPath classification), e.g. Tissue or Tumor.</param>
/// <param name="MinObjectAreaUm2">Components whose outline encloses less are dropped (µm²).</param>
/// <param name="MinHoleAreaUm2">Holes smaller than this are filled (µm²).</param>
public sealed record RegionPredictorSpec(int TileSize, int Overlap, double DefaultMpp, int OverviewSize, string ClassName,
    double MinObjectAreaUm2 = 0, double MinHoleAreaUm2 = 0)
{
    /// <summary>Probability at or above which a pixel is foreground.</summary>
    public float Threshold { get; init; } = 0.5f;
}

using System.Text.Json;

namespace SegBridge.Imaging.Encodings;

/// <summary>
/// Writes polygons (GeoJSON MultiPolygon coordinates, e.g. from <see cref="MaskPolygons.Trace"/> mapped to
/// level 0) as a GeoJSON FeatureCollection with one Polygon feature per polygon (outer ring, then holes),
/// each marked <c>objectType: annotation</c> with a <c>classification</c>, the shape QuPath's
/// File › Import objects reads as annotations.
/// </summary>
public static class GeoJsonFeatures
{
    /// <param name="properties">Extra FeatureCollection-level members (written under <c>properties</c>): what made the file.</param>
    public static void Write(Stream stream, double[][][][] polygons, string className, IReadOnlyDictionary<string, object?>? properties = null)
    {
        ArgumentNullException.ThrowIfNull(polygons);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        w.WriteStartObject();
        w.WriteString("type", "FeatureCollection");
        if (properties is not null)
        {
            w.WritePropertyName("properties");
            JsonSerializer.Serialize(w, properties);
        }
        w.WriteStartArray("features");
        foreach (var polygon in polygons)
        {
            w.WriteStartObject();
            w.WriteString("type", "Feature");
            w.WriteStartObject("geometry");
            w.WriteString("type", "Polygon");
            w.WriteStartArray("coordinates");
            foreach (var ring in polygon)
            {
                w.WriteStartArray();
                foreach (var p in ring)
                {
                    w.WriteStartArray();
                    w.WriteNumberValue(Math.Round(p[0], 3));
                    w.WriteNumberValue(Math.Round(p[1], 3));
                    w.WriteEndArray();
                }
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartObject("properties");
            w.WriteString("objectType", "annotation");
            w.WriteStartObject("classification");
            w.WriteString("name", className);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}

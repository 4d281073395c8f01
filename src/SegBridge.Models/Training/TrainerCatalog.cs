namespace SegBridge.Models.Training;

/// <summary>
/// Every family that can be trained, behind the one lookup the CLI's `train` and the protocol's train/run share:
/// the family must exist, and an option or class data meant for another family is refused naming who takes it.
/// </summary>
public sealed class TrainerCatalog(IEnumerable<IModelTrainer> trainers)
{
    public IReadOnlyList<IModelTrainer> All { get; } = [.. trainers];

    public IReadOnlyList<string> Families => [.. All.Select(t => t.Family)];

    /// <summary>Each option once, in the order the families declare them (the first family's description wins).</summary>
    public IReadOnlyList<TrainingOption> Options => [.. All.SelectMany(t => t.Options).DistinctBy(o => o.Name)];

    public IModelTrainer For(TrainingRequest request)
    {
        var family = request.Spell("family");
        var trainer = All.FirstOrDefault(t => t.Family == request.Family)
            ?? throw new TrainingOptionException("family", $"{family} is '{request.Family}'; allowed: {string.Join(", ", Families)}", string.Join(", ", Families));
        if (request.ClassData.Count > 0 && !trainer.TakesClassData)
            throw Foreign("classData", request, All.Where(t => t.TakesClassData));
        foreach (var name in request.Options.Keys)
            if (trainer.Options.All(o => o.Name != name) && All.Any(t => t.Options.Any(o => o.Name == name)))
                throw Foreign(name, request, All.Where(t => t.Options.Any(o => o.Name == name)));
        return trainer;
    }

    private static TrainingOptionException Foreign(string name, TrainingRequest request, IEnumerable<IModelTrainer> owners)
    {
        var family = request.Spell("family");
        var names = string.Join(", ", owners.Select(t => t.Family));
        return new TrainingOptionException(name, $"{request.Spell(name)} is only for {family} {names} (got {family} {request.Family})", $"families {names}");
    }
}

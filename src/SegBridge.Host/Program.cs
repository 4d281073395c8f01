using System.CommandLine;
using NLog;
using SegBridge.Host;
using SegBridge.Host.Commands;
using SegBridge.Protocol;

var root = new RootCommand("SegBridge: interactive segmentation engine speaking JSON-RPC 2.0 to viewers and notebooks")
{
    ServeCommand.Create(),
    ModelsCommand.Create(),
    SegmentCommand.Create(),
    EvalCommand.Create(), EvalMergeCommand.Create(),
    InferSlideCommand.Create(),
    ProtocolCommand.Create(),
    TrainCommand.Create(),
    ImportWeightsCommand.Create(),
    PropagateCommand.Create(), SuggestCommand.Create(),
};
try
{
    var parsed = root.Parse(args);
    // System.CommandLine turns SIGTERM/SIGINT into a cancellation and ends the process 2 s later whatever the
    // command is doing. A server stops by its own rule instead (finish the replies in flight within --stop-grace).
    var serving = parsed.CommandResult.Command.Name == "serve";
    return await parsed.InvokeAsync(new InvocationConfiguration
    {
        EnableDefaultExceptionHandler = false,
        ProcessTerminationTimeout = serving ? null : TimeSpan.FromSeconds(2),
    });
}
catch (CommandException e)
{
    Console.Error.WriteLine($"segbridge: {e.Message}");
    return 2;
}
catch (ProtocolException e)
{
    Console.Error.WriteLine($"segbridge: {e.Message}");
    return 2;
}
catch (OperationCanceledException)
{
    // Ctrl-C or SIGTERM during a long verb (train, eval): the verb stopped between steps and wrote no result.
    Console.Error.WriteLine("segbridge: cancelled; no result was written (a training run keeps its checkpoints)");
    return 130;
}
finally
{
    LogManager.Shutdown();
}

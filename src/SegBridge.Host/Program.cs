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
    EvalCommand.Create(),
    InferSlideCommand.Create(),
    ProtocolCommand.Create(),
    TrainCommand.Create(),
    ImportWeightsCommand.Create(),
};
try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
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
finally
{
    LogManager.Shutdown();
}

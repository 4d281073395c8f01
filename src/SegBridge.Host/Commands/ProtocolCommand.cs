using System.CommandLine;
using SegBridge.Protocol;

namespace SegBridge.Host.Commands;

internal static class ProtocolCommand
{
    public static Command Create()
    {
        var output = new Option<string?>("--out") { Description = "Write the document to this file instead of stdout" };
        var command = new Command("protocol", "Print the OpenRPC description of the protocol, generated from the contract") { output };
        command.SetAction(parse =>
        {
            var doc = OpenRpcDocument.Generate();
            if (parse.GetValue(output) is { } file) File.WriteAllText(file, doc);
            else Console.Out.Write(doc);
            return 0;
        });
        return command;
    }
}

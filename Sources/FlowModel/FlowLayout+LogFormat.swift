extension FlowLayout {
    /// AWS's default format, in its order (version 2): what a flow log without a custom format writes.
    public static let awsDefault = FlowLayout(fields: awsDefaultFields)

    /// The fields of AWS's default format, in order.
    public static let awsDefaultFields: [FlowField] = [
        .version, .accountID, .interfaceID, .srcaddr, .dstaddr, .srcport, .dstport, .protocol,
        .packets, .bytes, .start, .end, .action, .logStatus,
    ]

    /// The fields of AWS's Transit Gateway flow-log default format, in its order (it holds
    /// every Transit Gateway field): the columns of `tgw_flow_logs`.
    public static let transitGatewayDefaultFields: [FlowField] = [
        .version, .resourceType, .accountID, .tgwID, .tgwAttachmentID, .tgwSrcVPCAccountID, .tgwDstVPCAccountID,
        .tgwSrcVPCID, .tgwDstVPCID, .tgwSrcSubnetID, .tgwDstSubnetID, .tgwSrcENI, .tgwDstENI, .tgwSrcAZID, .tgwDstAZID,
        .tgwPairAttachmentID, .srcaddr, .dstaddr, .srcport, .dstport, .protocol, .packets, .bytes, .start, .end,
        .logStatus, .type, .packetsLostNoRoute, .packetsLostBlackhole, .packetsLostMTUExceeded, .packetsLostTTLExpired,
        .tcpFlags, .region, .flowDirection, .pktSrcAWSService, .pktDstAWSService,
    ]

    /// Reads a layout from a flow log's format string, as `aws ec2 describe-flow-logs` prints it
    /// (`${version} ${vpc-id} ${subnet-id} ...`), for files without a header line (CloudWatch
    /// Logs destinations, Firehose deliveries).
    ///
    /// Fields are written `${name}` and separated by spaces; bare names are accepted too, and
    /// `default` stands for AWS's default format. The names follow the header's rules.
    public init(logFormat: String) throws(LayoutError) {
        let trimmed = logFormat.trimmingASCIIWhitespace()
        if trimmed.lowercased() == "default" {
            self = .awsDefault
            return
        }
        var names: [String] = []
        for token in trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            var name = Substring(token)
            if name.hasPrefix("${") {
                guard name.hasSuffix("}"), name.count > 3 else { throw .invalidFormatToken(String(token)) }
                name = name.dropFirst(2).dropLast()
            } else if name.contains("$") || name.contains("{") || name.contains("}") {
                throw .invalidFormatToken(String(token))
            }
            names.append(String(name))
        }
        guard !names.isEmpty else { throw .emptyFormat }
        // The header's rules apply to the names (the stdlib's withUnsafeBytes loses typed throws).
        var header = names.joined(separator: " ")
        var result: Result<FlowLayout, LayoutError> = .failure(.emptyFormat)
        header.withUTF8 { bytes in
            do throws(LayoutError) { result = .success(try FlowLayout(headerLine: UnsafeRawBufferPointer(bytes))) } catch { result = .failure(error) }
        }
        self = try result.get()
    }
}

private extension String {
    func trimmingASCIIWhitespace() -> Substring {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" || first == "\n" || first == "\r" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" || last == "\n" || last == "\r" { text = text.dropLast() }
        return text
    }
}

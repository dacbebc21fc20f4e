% rebase('layout')
<h1>About us</h1>
% if paragraphs:
% for text in paragraphs:
<p>{{text}}</p>
% end
% else:
<p>{{shop['shop.name']}} is an independent repair shop. We service and repair cars of every make.</p>
% end
% if hours:
<h2>Opening hours</h2>
<table class="hours">
% for dayname, times in hours:
  <tr><th scope="row">{{dayname}}</th><td>{{times}}</td></tr>
% end
</table>
% end
